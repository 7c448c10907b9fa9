/// Assigns named segments from the three scores: rules are tried in order, the first whose closed
/// intervals hold all three scores wins, and no match is `Others`.
public struct SegmentRuleBook: Sendable {
    public static let others = "Others"
    public static let noPurchases = "No Purchases"

    public let rules: [SegmentRule]
    public let bins: Int
    /// Segment name for every (r, f, m), indexed ((r − 1)·bins + (f − 1))·bins + (m − 1).
    private let table: [String]

    public init(rules: [SegmentRule], bins: Int) {
        self.rules = rules
        self.bins = bins
        var table: [String] = []
        table.reserveCapacity(bins * bins * bins)
        for r in 1...bins {
            for f in 1...bins {
                for m in 1...bins {
                    let rule = rules.first { $0.recency.contains(r) && $0.frequency.contains(f) && $0.monetary.contains(m) }
                    table.append(rule?.name ?? Self.others)
                }
            }
        }
        self.table = table
    }

    @inline(__always)
    public func segment(r: Int, f: Int, m: Int) -> String {
        table[((r - 1) * bins + (f - 1)) * bins + (m - 1)]
    }

    /// Rules that never win because earlier rules take every score combination they hold.
    public var hiddenRules: [String] {
        rules.enumerated().filter { index, rule in
            for r in rule.recency { for f in rule.frequency { for m in rule.monetary {
                let winner = rules.firstIndex { $0.recency.contains(r) && $0.frequency.contains(f) && $0.monetary.contains(m) }
                if winner == index { return false }
            } } }
            return true
        }.map(\.element.name)
    }

    /// Score combinations (as rfm_score, e.g. 215) that no rule takes and so fall to `Others`.
    public var combinationsToOthers: [Int] {
        var combinations: [Int] = []
        for r in 1...bins { for f in 1...bins { for m in 1...bins where segment(r: r, f: f, m: m) == Self.others {
            combinations.append(100 * r + 10 * f + m)
        } } }
        return combinations
    }
}
