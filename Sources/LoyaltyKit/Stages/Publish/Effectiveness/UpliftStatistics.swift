import Foundation

/// The tests behind the effectiveness report: intervals for a difference of proportions
/// (Agresti–Caffo) and of means (Welch), and a χ² goodness-of-fit test of the control group's
/// size. A cell too small to estimate gives nil, an empty cell in the report.
enum UpliftStatistics {
    /// The 0.975 quantile of the standard normal: a two-sided 95% interval.
    static let z95 = 1.959963984540054

    struct Interval: Equatable {
        let estimate: Double
        let low: Double
        let high: Double
    }

    /// Treated rate minus control rate. Needs both groups non-empty. The interval is Agresti and
    /// Caffo's: the normal one after adding a success and a failure to each group. Control groups
    /// are small per segment and conversion rates near 0, where the plain (Wald) interval shrinks
    /// to nothing (0 of 6 against 0 of 114 gives 0 ± 0) and misses the truth far more than 5% of
    /// the time; the adjusted one keeps close to 95%.
    static func proportionDifference(treatedSuccesses: Int, treated: Int, controlSuccesses: Int, control: Int) -> Interval? {
        guard treated > 0, control > 0 else { return nil }
        let estimate = Double(treatedSuccesses) / Double(treated) - Double(controlSuccesses) / Double(control)
        let nT = Double(treated + 2), nC = Double(control + 2)
        let pT = Double(treatedSuccesses + 1) / nT, pC = Double(controlSuccesses + 1) / nC
        let center = pT - pC, halfWidth = z95 * (pT * (1 - pT) / nT + pC * (1 - pC) / nC).squareRoot()
        return Interval(estimate: estimate, low: center - halfWidth, high: center + halfWidth)
    }

    /// Treated mean minus control mean: Welch's interval (unequal variances, t quantile with the
    /// Welch–Satterthwaite degrees of freedom). Needs two observations in each group.
    static func meanDifference(treatedSum: Double, treatedSquares: Double, treated: Int,
                               controlSum: Double, controlSquares: Double, control: Int) -> Interval? {
        guard treated > 1, control > 1 else { return nil }
        func varianceOfMean(_ sum: Double, _ squares: Double, _ count: Int) -> Double {
            max(0, (squares - sum * sum / Double(count)) / Double(count - 1)) / Double(count)
        }
        let treatedPart = varianceOfMean(treatedSum, treatedSquares, treated)
        let controlPart = varianceOfMean(controlSum, controlSquares, control)
        let estimate = treatedSum / Double(treated) - controlSum / Double(control)
        let variance = treatedPart + controlPart
        guard variance > 0 else { return Interval(estimate: estimate, low: estimate, high: estimate) }
        let degrees = variance * variance
            / (treatedPart * treatedPart / Double(treated - 1) + controlPart * controlPart / Double(control - 1))
        let halfWidth = StudentT.quantile(0.975, degrees: degrees) * variance.squareRoot()
        return Interval(estimate: estimate, low: estimate - halfWidth, high: estimate + halfWidth)
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
