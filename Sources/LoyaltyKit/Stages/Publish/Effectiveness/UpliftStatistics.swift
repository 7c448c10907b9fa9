import Foundation

/// The tests behind the effectiveness report: normal-approximation (Wald) intervals for a
/// difference of proportions and a difference of means (Welch), and a χ² goodness-of-fit test of
/// the control group's size. Groups are thousands of customers a night, where the normal
/// approximation holds; a cell too small to estimate gives nil, an empty cell in the report.
enum UpliftStatistics {
    /// The 0.975 quantile of the standard normal: a two-sided 95% interval.
    static let z95 = 1.959963984540054

    struct Interval: Equatable {
        let estimate: Double
        let low: Double
        let high: Double
    }

    /// Treated rate minus control rate. Needs both groups non-empty.
    static func proportionDifference(treatedSuccesses: Int, treated: Int, controlSuccesses: Int, control: Int) -> Interval? {
        guard treated > 0, control > 0 else { return nil }
        let pT = Double(treatedSuccesses) / Double(treated), pC = Double(controlSuccesses) / Double(control)
        let standardError = (pT * (1 - pT) / Double(treated) + pC * (1 - pC) / Double(control)).squareRoot()
        return interval(pT - pC, standardError)
    }

    /// Treated mean minus control mean, with Welch's standard error (unequal variances). Needs two
    /// observations in each group for their variances.
    static func meanDifference(treatedSum: Double, treatedSquares: Double, treated: Int,
                               controlSum: Double, controlSquares: Double, control: Int) -> Interval? {
        guard treated > 1, control > 1 else { return nil }
        func variance(_ sum: Double, _ squares: Double, _ count: Int) -> Double {
            max(0, (squares - sum * sum / Double(count)) / Double(count - 1))
        }
        let standardError = (variance(treatedSum, treatedSquares, treated) / Double(treated)
            + variance(controlSum, controlSquares, control) / Double(control)).squareRoot()
        return interval(treatedSum / Double(treated) - controlSum / Double(control), standardError)
    }

    private static func interval(_ estimate: Double, _ standardError: Double) -> Interval {
        Interval(estimate: estimate, low: estimate - z95 * standardError, high: estimate + z95 * standardError)
    }

    /// The sample-ratio test: is `control` of `total` customers consistent with the configured
    /// share? χ² with one degree of freedom over the two groups; its p-value is erfc(√(χ²/2)).
    static func sampleRatio(control: Int, total: Int, expectedShare: Double) -> (chiSquare: Double, pValue: Double)? {
        guard total > 0, expectedShare > 0, expectedShare < 1 else { return nil }
        let expectedControl = Double(total) * expectedShare, expectedTreated = Double(total) - expectedControl
        let controlGap = Double(control) - expectedControl, treatedGap = Double(total - control) - expectedTreated
        let chiSquare = controlGap * controlGap / expectedControl + treatedGap * treatedGap / expectedTreated
        return (chiSquare, erfc((chiSquare / 2).squareRoot()))
    }
}
