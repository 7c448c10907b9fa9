/// Rule metrics of a pair (a, b) from counts, as the contract defines them (the same formulas as
/// mlxtend's association_rules): support, confidence both ways, lift, leverage, conviction both
/// ways (nil when the confidence is 1), and the null-invariant jaccard and kulczynski.
public struct AssociationMetrics: Equatable, Sendable {
    public var support: Double
    public var confidenceAB: Double
    public var confidenceBA: Double
    public var lift: Double
    public var leverage: Double
    public var convictionAB: Double?
    public var convictionBA: Double?
    public var jaccard: Double
    public var kulczynski: Double

    /// - Parameters: together = baskets with both; countA, countB = baskets with each; baskets = all.
    public init(together: Int, countA: Int, countB: Int, baskets: Int) {
        let n = Double(baskets)
        let supportA = Double(countA) / n, supportB = Double(countB) / n
        support = Double(together) / n
        confidenceAB = Self.confidence(together: together, countA: countA)
        confidenceBA = Self.confidence(together: together, countA: countB)
        lift = Self.lift(together: together, countA: countA, countB: countB, baskets: baskets)
        leverage = support - supportA * supportB
        convictionAB = confidenceAB == 1 ? nil : (1 - supportB) / (1 - confidenceAB)
        convictionBA = confidenceBA == 1 ? nil : (1 - supportA) / (1 - confidenceBA)
        jaccard = Double(together) / Double(countA + countB - together)
        kulczynski = (confidenceAB + confidenceBA) / 2
    }

    /// Confidence (a → b) alone, the same value as `init`'s (for ranking millions of pairs).
    @inline(__always)
    public static func confidence(together: Int, countA: Int) -> Double {
        Double(together) / Double(countA)
    }

    /// Lift alone, with the same floating-point steps as `init`, so rankings and outputs agree.
    @inline(__always)
    public static func lift(together: Int, countA: Int, countB: Int, baskets: Int) -> Double {
        let n = Double(baskets)
        return (Double(together) / n) / ((Double(countA) / n) * (Double(countB) / n))
    }
}
