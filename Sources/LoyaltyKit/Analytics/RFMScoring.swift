/// The contract's RFM scores: values cut into `bins` score bins at quantile-based cut points (or
/// cut points given in the configuration), higher score = better.
///
/// For one dimension over the scored customers, with N bins: q_j is the type-7 quantile at j/N,
/// the cut points are c_j = q_j + 1, and bin i is [lower_i, upper_i) with lower = (min, c₁ … c₍N−1₎)
/// and upper = (c₁ … c₍N−1₎, max + 1). Frequency and monetary score = i; recency = N + 1 − i.
/// Equal values always get equal scores; coinciding cut points leave a bin empty.
///
///     let cuts = RFMScoring.cutPoints(sorted: [1, 1, 2, 3, 8], bins: 5)  // [2, 2.6, 3.4, 5] (± rounding)
///     RFMScoring.bin(of: 2, cutPoints: cuts)                              // 1, i.e. score 2
public enum RFMScoring {
    public enum Direction: Sendable {
        /// Bigger is better (frequency, monetary).
        case ascending
        /// Smaller is better (recency).
        case descending
    }

    /// The bins of one dimension: cut points, and the bounds and size of every bin.
    public struct Thresholds: Equatable, Sendable {
        public var cutPoints: [Double]
        /// Bin i (0-based) is [lower[i], upper[i]).
        public var lower: [Double]
        public var upper: [Double]
        /// Customers per bin (0-based bin index).
        public var counts: [Int]
        public var direction: Direction

        /// The score of bin `index` (0-based).
        public func score(ofBin index: Int) -> Int {
            direction == .ascending ? index + 1 : cutPoints.count + 1 - index
        }

        /// Scores no customer has: the bins left empty by coinciding cut points.
        public var emptyScores: [Int] {
            counts.indices.filter { counts[$0] == 0 }.map { score(ofBin: $0) }.sorted()
        }
    }

    /// The contract's computed cut points c_j = q(j/N) + 1 for ascending `sorted` values.
    public static func cutPoints(sorted: [Double], bins: Int) -> [Double] {
        Quantiles.interiorProbabilities(bins: bins).map { Quantiles.type7(sorted: sorted, p: $0) + 1 }
    }

    /// The 0-based bin of `value`: the number of cut points at or below it.
    @inline(__always)
    public static func bin(of value: Double, cutPoints: [Double]) -> Int {
        var index = 0
        while index < cutPoints.count && cutPoints[index] <= value { index += 1 }
        return index
    }

    /// Scores every value; `fixedCutPoints` (ascending) replace the computed ones as given.
    /// - Returns: one score (1…bins) per value, in input order, and the thresholds.
    public static func score(_ values: [Double], bins: Int, direction: Direction, fixedCutPoints: [Double]? = nil)
        -> (scores: [Int], thresholds: Thresholds) {
        precondition(!values.isEmpty && bins >= 2)
        let sorted = values.sorted()
        let cuts = fixedCutPoints ?? cutPoints(sorted: sorted, bins: bins)
        let lower = [sorted[0]] + cuts
        let upper = cuts + [sorted[sorted.count - 1] + 1]
        var counts = [Int](repeating: 0, count: bins)
        var thresholds = Thresholds(cutPoints: cuts, lower: lower, upper: upper, counts: counts, direction: direction)
        let scores = values.map { value -> Int in
            let index = bin(of: value, cutPoints: cuts)
            counts[index] += 1
            return thresholds.score(ofBin: index)
        }
        thresholds.counts = counts
        return (scores, thresholds)
    }
}
