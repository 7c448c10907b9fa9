import Foundation

/// The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers the
/// easy way"): while alive a customer buys as a Poisson process of rate λ ~ Gamma(r, α); after
/// each purchase they drop out with probability p ~ Beta(a, b).
///
/// A customer is (x, tₓ, T): repeat purchases, time from the first to the last purchase, time
/// from the first purchase to the end of the calibration period, in one time unit (α is in it).
public struct BetaGeometricNBD: Equatable, Sendable {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    public struct Customer: Equatable, Sendable {
        public var repeatPurchases: Double
        public var lastPurchase: Double
        public var age: Double

        public init(repeatPurchases: Double, lastPurchase: Double, age: Double) {
            self.repeatPurchases = repeatPurchases
            self.lastPurchase = lastPurchase
            self.age = age
        }
    }

    /// One customer's log-likelihood, the paper's equation (6) in logs:
    /// ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
    ///        + ln[(α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+tₓ)^−(r+x)].
    public func logLikelihood(_ customer: Customer) -> Double {
        let x = customer.repeatPurchases
        let common = SpecialFunctions.logGamma(r + x) - SpecialFunctions.logGamma(r) + r * log(alpha)
            + SpecialFunctions.logGamma(a + b) + SpecialFunctions.logGamma(b + x) - SpecialFunctions.logGamma(b)
            - SpecialFunctions.logGamma(a + b + x)
        let survived = -(r + x) * log(alpha + customer.age)
        guard x > 0 else { return common + survived }
        let droppedOut = log(a) - log(b + x - 1) - (r + x) * log(alpha + customer.lastPurchase)
        return common + Self.logAddExp(survived, droppedOut)
    }

    /// P(alive at T | x, tₓ, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+tₓ))^(r+x)); 1 for x = 0.
    public func probabilityAlive(_ customer: Customer) -> Double {
        let x = customer.repeatPurchases
        guard x > 0 else { return 1 }
        let logOdds = (r + x) * log((alpha + customer.age) / (alpha + customer.lastPurchase)) + log(a / (b + x - 1))
        return 1 / (1 + exp(logOdds))
    }

    /// E[purchases in (T, T + t] | x, tₓ, T], the paper's equation (10):
    /// (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive),
    /// evaluated after Euler's transformation (`SpecialFunctions.hypergeometricGap`).
    /// - Returns: nil when the series does not converge (t/(α+T+t) within about 1e-6 of 1).
    public func expectedPurchases(_ customer: Customer, during t: Double) -> Double? {
        expectedPurchasesIfAlive(repeatPurchases: customer.repeatPurchases, age: customer.age, during: t).map { $0 * probabilityAlive(customer) }
    }

    /// Equation (10) without its P(alive) factor: what a customer still alive at T buys in
    /// (T, T + t]. It depends on x and T only, so customers sharing them share it.
    ///
    /// Two equivalent forms of the series, each sound where the other is not:
    /// - equation (10)'s own, ₂F₁(r+x, b+x; c; z): positive terms, no cancellation, but it needs
    ///   c = a+b+x−1 > 0 and grows long before it shrinks for frequent buyers (x large);
    /// - after Euler's transformation, ₂F₁(a+b−1−r, a−1; c; z): small parameters whatever x, but
    ///   its terms change sign and cancel when a+b−1−r ≤ −1 (r large), and grow when a is large.
    /// So: Euler's for c ≤ 0 (the only one defined); the original when a+b−1−r ≤ −1; otherwise
    /// the one whose terms grow less. c = 0 itself (x = 0, a + b = 1), where both forms divide by
    /// zero and their product does not, is the mean of the values just either side.
    public func expectedPurchasesIfAlive(repeatPurchases x: Double, age: Double, during t: Double) -> Double? {
        guard t > 0 else { return 0 }
        let c = a + b + x - 1
        if abs(c) < 1e-9 {
            let nudge = 1e-7 * max(a, 1e-3)
            guard let low = BetaGeometricNBD(r: r, alpha: alpha, a: a - nudge, b: b).expectedPurchasesIfAlive(repeatPurchases: x, age: age, during: t),
                  let high = BetaGeometricNBD(r: r, alpha: alpha, a: a + nudge, b: b).expectedPurchasesIfAlive(repeatPurchases: x, age: age, during: t)
            else { return nil }
            return (low + high) / 2
        }
        let z = t / (alpha + age + t)
        let (transformedA, transformedB) = (a + b - 1 - r, a - 1)
        let euler = c <= 0 || (transformedA > -1 && abs(transformedA * transformedB) <= (r + x) * (b + x))
        if euler {
            return SpecialFunctions.hypergeometricGap(a: transformedA, b: transformedB, c: c, z: z).map { c * $0 }
        }
        guard let series = SpecialFunctions.hypergeometric(a: r + x, b: b + x, c: c, z: z) else { return nil }
        let remaining = exp((r + x) * log1p(-z) + log(series))
        return c * (1 - remaining) / (a - 1)
    }

    static func logAddExp(_ u: Double, _ v: Double) -> Double {
        let high = max(u, v)
        return high + log1p(exp(min(u, v) - high))
    }
}
