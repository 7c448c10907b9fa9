import Foundation

/// Special functions the customer-value models need, written for the ranges they meet there.
enum SpecialFunctions {
    /// ψ(x) = d/dx ln Γ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x lifts x to 10 or more,
    /// where the asymptotic series to the x⁻¹⁰ term is exact to about 1e-14.
    static func digamma(_ x: Double) -> Double {
        precondition(x > 0, "digamma is needed for positive arguments only")
        var x = x, shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let inverse = 1 / x, inverseSquared = inverse * inverse
        let series = inverseSquared * (1.0 / 12 - inverseSquared * (1.0 / 120 - inverseSquared * (1.0 / 252 - inverseSquared
            * (1.0 / 240 - inverseSquared * (1.0 / 132)))))
        return shift + log(x) - 0.5 * inverse - series
    }

    /// ln Γ(x) for x > 0. `lgamma` writes the sign to a global, so callers keep it off worker threads.
    static func logGamma(_ x: Double) -> Double {
        lgamma(x)
    }

    /// e^{logScale} · (₂F₁(A, B; C; z) − 1) for A, B > 0, −1 < C (C ≠ 0) and 0 ≤ z < 1, by the
    /// series in log space: every term has the sign of C (only the first factor can be negative),
    /// so there is no cancellation, and the scale keeps terms that would overflow on their own
    /// (e^{logScale} small, ₂F₁ huge) finite.
    /// - Returns: nil when the series does not converge within `maxTerms` terms.
    static func scaledHypergeometricTail(a: Double, b: Double, c: Double, z: Double, logScale: Double, maxTerms: Int = 1_000_000) -> Double? {
        precondition(a > 0 && b > 0 && c > -1 && c != 0 && z >= 0 && z < 1)
        guard z > 0 else { return 0 }
        let sign: Double = c > 0 ? 1 : -1
        var logTerm = log(a) + log(b) + log(z) - log(abs(c)) + logScale
        var sum = exp(logTerm)
        var n = 1
        let steady = shrinkingFrom(a: a, b: b, c: c, z: z)
        while n <= steady || exp(logTerm) > 1e-17 * sum {
            let next = Double(n)
            logTerm += log(a + next) + log(b + next) + log(z) - log(c + next) - log(next + 1)
            sum += exp(logTerm)
            n += 1
            if n > maxTerms || !sum.isFinite { return nil }
        }
        return sign * sum
    }

    /// The n from which the series' terms shrink for good: every factor A + n, B + n, C + n is
    /// positive, and the ratio of terms (A+n)(B+n)z / ((C+n)(n+1)) is below 1 — past the larger
    /// root of (1−z)n² + (C+1 − z(A+B))n + C − zAB. Before it a small term may be followed by
    /// larger ones, so only a negligible term after it ends a sum.
    static func shrinkingFrom(a: Double, b: Double, c: Double, z: Double) -> Int {
        var from = max(0, -a, -b, -c)
        let (quadratic, linear, constant) = (1 - z, c + 1 - z * (a + b), c - z * a * b)
        let discriminant = linear * linear - 4 * quadratic * constant
        if discriminant >= 0 { from = max(from, (-linear + discriminant.squareRoot()) / (2 * quadratic)) }
        return Int(min(from, 1e9).rounded(.up)) + 1
    }

    /// C · (1 − (1 − z)^B · ₂F₁(A, B; C; z)) / B for 0 ≤ z < 1 and C > −1, without the
    /// cancellation of the two sides as B → 0 nor a division by C (so C = 0 is no special case).
    ///
    /// With ₂F₁ = 1 + B·G/C, C·G = Σₙ≥₁ (A)ₙ(B + 1)ₙ₋₁zⁿ/((C + 1)ₙ₋₁ n!), the value is
    /// −C·expm1(B·L)/B − (C·G)·e^{B·L} with L = ln(1 − z). The BG/NBD model's expected purchases
    /// are this after Euler's transformation, whose parameters A and B do not grow with the
    /// customer's purchase count (`BetaGeometricNBD.expectedPurchasesIfAlive` says when to use it).
    /// - Returns: nil when the series has not converged within `maxTerms` terms (z very near 1).
    static func scaledHypergeometricGap(a: Double, b: Double, c: Double, z: Double, maxTerms: Int = 1_000_000) -> Double? {
        precondition(z >= 0 && z < 1 && c > -1)
        let logRemaining = log1p(-z)
        var term = a * z
        var sum = term
        var n = 1
        let steady = shrinkingFrom(a: a, b: b, c: c, z: z)
        while n <= steady || (term != 0 && abs(term) > 1e-17 * abs(sum)) {
            let next = Double(n)
            term *= (a + next) * (b + next) * z / ((c + next) * (next + 1))
            sum += term
            n += 1
            if n > maxTerms || !sum.isFinite { return nil }
        }
        let scaledPower = b == 0 ? logRemaining : expm1(b * logRemaining) / b
        return -c * scaledPower - sum * exp(b * logRemaining)
    }
}
