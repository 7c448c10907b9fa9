import Foundation

/// Student's t distribution, for Welch intervals on small control groups (a segment's control
/// group on an early night can be a handful of customers, where the normal quantile 1.96 gives
/// an interval a quarter too narrow).
enum StudentT {
    /// P(T ≤ t) with `degrees` of freedom (any real > 0), from the regularized incomplete beta:
    /// P(|T| > t) = I(ν / (ν + t²); ν/2, 1/2).
    static func cdf(_ t: Double, degrees: Double) -> Double {
        let tail = 0.5 * regularizedBeta(degrees / (degrees + t * t), degrees / 2, 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The `p` quantile (0 < p < 1) by bisection on the CDF: 200 halvings bound it far below
    /// the shortest decimal the reports print.
    static func quantile(_ p: Double, degrees: Double) -> Double {
        precondition(p > 0 && p < 1 && degrees > 0)
        if p < 0.5 { return -quantile(1 - p, degrees: degrees) }
        var low = 0.0, high = 1.0
        while cdf(high, degrees: degrees) < p { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if cdf(middle, degrees: degrees) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// I_x(a, b) by its continued fraction (modified Lentz), on the side of x where it converges fast.
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logPowers - logBeta
        if x < (a + 1) / (a + b + 2) { return exp(logFront) * continuedFraction(x, a, b) / a }
        return 1 - exp(logFront) * continuedFraction(1 - x, b, a) / b
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        func guarded(_ value: Double) -> Double { abs(value) < tiny ? tiny : value }
        var c = 1.0, d = 1 / guarded(1 - (a + b) * x / (a + 1))
        var fraction = d
        for step in 1...300 {
            let m = Double(step), twoM = 2 * m
            // Even step, then odd step, of the fraction's terms.
            let even = m * (b - m) * x / ((a + twoM - 1) * (a + twoM))
            d = 1 / guarded(1 + even * d)
            c = guarded(1 + even / c)
            fraction *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + twoM) * (a + twoM + 1))
            d = 1 / guarded(1 + odd * d)
            c = guarded(1 + odd / c)
            let change = d * c
            fraction *= change
            if abs(change - 1) < 1e-15 { break }
        }
        return fraction
    }
}
