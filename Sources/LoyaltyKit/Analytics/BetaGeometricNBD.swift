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
    /// evaluated in the sounder of two equivalent forms (`expectedPurchasesIfAlive`).
    /// - Returns: nil when the series does not converge (t/(α+T+t) within about 1e-6 of 1).
    public func expectedPurchases(_ customer: Customer, during t: Double) -> Double? {
        expectedPurchasesIfAlive(repeatPurchases: customer.repeatPurchases, age: customer.age, during: t).map { $0 * probabilityAlive(customer) }
    }

    /// Equation (10) without its P(alive) factor: what a customer still alive at T buys in
    /// (T, T + t]. It depends on x and T only, so customers sharing them share it.
    ///
    /// Two equivalent forms of the series, each sound where the other is not:
    /// - after Euler's transformation, ₂F₁(a+b−1−r, a−1; c; z): parameters that do not grow with
    ///   x, exact as a → 1 and at c = 0, but its terms change sign and cancel when a+b−1−r ≤ −1
    ///   (r large) and grow long when a is large;
    /// - equation (10)'s own, ₂F₁(r+x, b+x; c; z) (c = a+b+x−1): terms of one sign, summed in log
    ///   space scaled by ((α+T)/(α+T+t))^(r+x), but it divides by a − 1.
    /// Euler's is used unless it would cancel (a+b−1−r ≤ −1) or grow more than the other; the
    /// direct form near a = 1 is interpolated between a = 1 ± 1e-4 (exact to about 1e-8).
    public func expectedPurchasesIfAlive(repeatPurchases x: Double, age: Double, during t: Double) -> Double? {
        guard t > 0 else { return 0 }
        let c = a + b + x - 1
        let z = t / (alpha + age + t)
        let (transformedA, transformedB) = (a + b - 1 - r, a - 1)
        let euler = transformedA > -1 && abs(transformedA * transformedB) <= (r + x) * (b + x)
        if euler || c == 0 {
            return SpecialFunctions.scaledHypergeometricGap(a: transformedA, b: transformedB, c: c, z: z)
        }
        let near = 1e-4
        guard abs(a - 1) < near else { return direct(a: a, x: x, z: z) }
        guard let low = direct(a: 1 - near, x: x, z: z), let high = direct(a: 1 + near, x: x, z: z) else { return nil }
        return low + (high - low) * (a - (1 - near)) / (2 * near)
    }

    /// Equation (10)'s own form at drop-out parameter `a`: c · (1 − (1−z)^(r+x) ₂F₁) / (a − 1).
    private func direct(a: Double, x: Double, z: Double) -> Double? {
        let c = a + b + x - 1
        let logPower = (r + x) * log1p(-z)
        guard let tail = SpecialFunctions.scaledHypergeometricTail(a: r + x, b: b + x, c: c, z: z, logScale: logPower) else { return nil }
        // 1 − (1−z)^(r+x) − (scaled tail): for c < 0 the tail is negative, two positive parts.
        return c * (-expm1(logPower) - tail) / (a - 1)
    }

    static func logAddExp(_ u: Double, _ v: Double) -> Double {
        let high = max(u, v)
        return high + log1p(exp(min(u, v) - high))
    }
}
