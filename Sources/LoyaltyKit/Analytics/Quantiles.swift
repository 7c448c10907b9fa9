/// Sample quantiles by linear interpolation between order statistics: R's default (`type = 7`),
/// the method the R package rfm uses, so scores computed here reproduce its published results.
///
///     Quantiles.type7(sorted: [1, 2, 3, 4], p: 0.5)   // 2.5
///
/// The arithmetic follows R's `quantile.default` step by step (index = 1 + (n − 1)·p,
/// q = (1 − h)·x[lo] + h·x[hi]) rather than the textbook x[lo] + h·(x[hi] − x[lo]): the two agree
/// mathematically but can differ in the last bit, and a value lying exactly on a cut point must
/// land in the same bin as in R.
///
/// - Complexity: O(1) on sorted input.
public enum Quantiles {
    /// The middle value, or the mean of the two middle ones (day gaps of enrich's product cycle and
    /// of a customer's own cycle in offers).
    public static func median(_ values: [Int32]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    }

    public static func type7(sorted: [Double], p: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of no values")
        precondition(p >= 0 && p <= 1)
        let index = 1 + Double(sorted.count - 1) * p
        let lo = index.rounded(.down)
        let hi = index.rounded(.up)
        let low = sorted[Int(lo) - 1]
        let high = sorted[Int(hi) - 1]
        guard index > lo && high != low else { return low }
        let h = index - lo
        return (1 - h) * low + h * high
    }

    /// R's `seq(0, 1, length.out = bins + 1)` without its ends: j · (1/bins), computed as R does
    /// (so the third of five is 0.6000000000000001, not 0.6).
    public static func interiorProbabilities(bins: Int) -> [Double] {
        let step = 1.0 / Double(bins)
        return (1..<bins).map { Double($0) * step }
    }
}
