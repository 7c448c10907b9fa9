import Foundation
import Testing
@testable import LoyaltyKit

@Suite struct CustomerValueModelTests {
    typealias Customer = BetaGeometricNBD.Customer

    // MARK: - BG/NBD terms, worked by hand from the paper's equations (6), (8) and (10)

    /// r = α = a = b = 1, x = 1, tₓ = 1, T = 2: Γ(2)/Γ(1) · 1 · B(1, 2)/B(1, 1) · [3⁻² + 1/1 · 2⁻²]
    /// = 1/2 · (1/9 + 1/4) = 13/72; P(alive) = 1/(1 + 1 · (3/2)²) = 4/13.
    @Test func oneRepeatCustomerMatchesTheHandWorkedLikelihood() {
        let model = BetaGeometricNBD(r: 1, alpha: 1, a: 1, b: 1)
        let customer = Customer(repeatPurchases: 1, lastPurchase: 1, age: 2)
        #expect(abs(model.logLikelihood(customer) - log(13.0 / 72)) < 1e-14)
        #expect(abs(model.probabilityAlive(customer) - 4.0 / 13) < 1e-15)
    }

    /// x = 0: only the "still alive" term, Γ(r)/Γ(r) · α^r · (α+T)^−r = (1/4)² for r = 2, α = 1, T = 3.
    @Test func customerWithoutRepeatsHasOnlyTheSurvivalTerm() {
        let model = BetaGeometricNBD(r: 2, alpha: 1, a: 0.7, b: 3)
        let customer = Customer(repeatPurchases: 0, lastPurchase: 0, age: 3)
        #expect(abs(model.logLikelihood(customer) - log(1.0 / 16)) < 1e-14)
        #expect(model.probabilityAlive(customer) == 1)
    }

    /// With r = b = 1 and a = 2 the hypergeometric function is elementary, ₂F₁(1, 1; 2; z) = −ln(1−z)/z,
    /// so E[Y(t) | x = 0, T] = 2 · [1 − (α+T)/t · ln(1 + t/(α+T))]; for α = T = 1, t = 2: 2 · (1 − ln 2).
    @Test func expectedPurchasesMatchTheClosedFormCase() throws {
        let model = BetaGeometricNBD(r: 1, alpha: 1, a: 2, b: 1)
        let expected = try #require(model.expectedPurchases(Customer(repeatPurchases: 0, lastPurchase: 0, age: 1), during: 2))
        #expect(abs(expected - 2 * (1 - log(2.0))) < 1e-13)
        #expect(model.expectedPurchases(Customer(repeatPurchases: 3, lastPurchase: 2, age: 5), during: 0) == 0)
    }

    /// Against equation (10) with ₂F₁ summed directly (no transformation), where that is safe.
    /// The second model is what a fit on four customers gave (a drop-out probability a/(a+b) ≈ 1):
    /// there Euler's form grows for 47,000 terms, equation (10)'s own form not at all. The third
    /// has a + b < 1, so for x = 0 c = a+b−1 < 0; the fourth a large r, where Euler's terms cancel
    /// to garbage (−6.0e7 where 25.68 is right, x = 0, T = 0); the fifth both (8.8e10 where 33.76 is).
    @Test(arguments: [BetaGeometricNBD(r: 0.8, alpha: 12, a: 1.7, b: 2.9), BetaGeometricNBD(r: 0.186, alpha: 13.5, a: 47146.6, b: 2.12e-5),
                      BetaGeometricNBD(r: 0.24, alpha: 30, a: 0.5, b: 0.4), BetaGeometricNBD(r: 100, alpha: 30, a: 0.8, b: 2),
                      BetaGeometricNBD(r: 100, alpha: 30, a: 0.5, b: 0.4)])
    func expectedPurchasesMatchTheUntransformedSeries(model: BetaGeometricNBD) throws {
        for (x, tx, age, t) in [(0.0, 0.0, 20.0, 10.0), (0, 0, 0, 365), (4, 15, 30, 25), (20, 28, 30, 40), (7, 3, 60, 365)] {
            let customer = Customer(repeatPurchases: x, lastPurchase: tx, age: age)
            let (a, b, c, z) = (model.r + x, model.b + x, model.a + model.b + x - 1, t / (model.alpha + age + t))
            var term = 1.0, series = 1.0
            for n in 0..<100_000 {
                term *= (a + Double(n)) * (b + Double(n)) * z / ((c + Double(n)) * Double(n + 1))
                series += term
                if abs(term) < 1e-18 * series { break }
            }
            let direct = c / (model.a - 1) * (1 - pow((model.alpha + age) / (model.alpha + age + t), model.r + x) * series)
                * model.probabilityAlive(customer)
            let computed = try #require(model.expectedPurchases(customer, during: t))
            #expect(abs(computed - direct) <= 1e-10 * max(1, direct), "x=\(x): \(computed) vs \(direct)")
        }
    }

    /// a + b = 1 makes c = 0 for x = 0, where equation (10) divides by it; the value is continuous
    /// through it, for a small a too (which once recursed without end).
    @Test(arguments: [(0.4, 0.6), (0.005, 0.995)])
    func expectedPurchasesAreContinuousThroughCEqualToZero(a: Double, b: Double) throws {
        let customer = Customer(repeatPurchases: 0, lastPurchase: 0, age: 40)
        let at = try #require(BetaGeometricNBD(r: 0.5, alpha: 8, a: a, b: b).expectedPurchases(customer, during: 90))
        let below = try #require(BetaGeometricNBD(r: 0.5, alpha: 8, a: a, b: b - 1e-7).expectedPurchases(customer, during: 90))
        let above = try #require(BetaGeometricNBD(r: 0.5, alpha: 8, a: a, b: b + 1e-7).expectedPurchases(customer, during: 90))
        #expect(abs((below + above) / 2 - at) < 1e-9 * at, "\(below) \(at) \(above)")
        #expect(at > 0)
    }

    /// a = 1 with r ≥ a + b sends equation (10)'s own form (which divides by a − 1); the value
    /// equals Euler's form at B = 0, which has no such division (r = 5 cancels only mildly).
    @Test func expectedPurchasesAtAEqualToOneWithLargerR() throws {
        let model = BetaGeometricNBD(r: 5, alpha: 30, a: 1, b: 2)
        for (x, age, t) in [(0.0, 10.0, 365.0), (3, 100, 90)] {
            let c = model.a + model.b + x - 1
            let euler = try #require(SpecialFunctions.scaledHypergeometricGap(a: model.a + model.b - 1 - model.r, b: 0, c: c, z: t / (model.alpha + age + t)))
            let value = try #require(model.expectedPurchasesIfAlive(repeatPurchases: x, age: age, during: t))
            #expect(abs(value - euler) < 1e-7 * euler, "x=\(x): \(value) vs \(euler)")
        }
    }

    /// a = 1 makes equation (10)'s (a − 1) vanish; the value is the limit, continuous on both sides.
    @Test func expectedPurchasesAreContinuousThroughAEqualToOne() throws {
        let customer = Customer(repeatPurchases: 2, lastPurchase: 10, age: 40)
        let at = try #require(BetaGeometricNBD(r: 0.5, alpha: 8, a: 1, b: 2).expectedPurchases(customer, during: 90))
        for a in [1 - 1e-7, 1 + 1e-7] {
            let near = try #require(BetaGeometricNBD(r: 0.5, alpha: 8, a: a, b: 2).expectedPurchases(customer, during: 90))
            #expect(abs(near - at) < 1e-6)
        }
    }

    /// The fitter's vectorised likelihood is the mean of `logLikelihood`, and its gradient the
    /// derivative of it (central differences).
    @Test func fittedLikelihoodAndGradientAgreeWithTheDefinition() {
        var random = SplitMix64(seed: 3)
        let customers = (0..<300).map { _ -> Customer in
            let age = Double(random.next() % 400)
            let x = Double(random.next() % 6)
            let last = x == 0 ? 0 : Double(random.next() % UInt64(age + 1))
            return Customer(repeatPurchases: x, lastPurchase: last, age: age)
        } + [Customer(repeatPurchases: 2, lastPurchase: 5, age: 9), Customer(repeatPurchases: 2, lastPurchase: 5, age: 9)]
        let data = BetaGeometricNBD.Compressed(customers)
        #expect(data.weight.count < customers.count)
        let point = [0.6, 35.0, 0.9, 2.2]
        let model = BetaGeometricNBD(r: point[0], alpha: point[1], a: point[2], b: point[3])
        let (value, gradient) = data.meanLogLikelihood(point)
        let mean = customers.reduce(0.0) { $0 + model.logLikelihood($1) } / Double(customers.count)
        #expect(abs(value - mean) < 1e-12)
        for k in 0..<4 {
            var up = point, down = point
            let h = 1e-6 * point[k]
            up[k] += h
            down[k] -= h
            let numeric = (data.meanLogLikelihood(up).value - data.meanLogLikelihood(down).value) / (2 * h)
            #expect(abs(numeric - gradient[k]) < 1e-6 * max(1, abs(gradient[k])), "parameter \(k): \(numeric) vs \(gradient[k])")
        }
    }

    // MARK: - Gamma-Gamma

    /// p = q = γ = 1, x = 1, m̄ = 1: Γ(2)/(Γ(1)Γ(1)) · 1 · 1⁰ · 1¹ / 2² = 1/4.
    @Test func gammaGammaTermMatchesTheHandWorkedDensity() {
        let model = GammaGammaSpend(p: 1, q: 1, v: 1)
        #expect(abs(model.logLikelihood(GammaGammaSpend.Customer(purchases: 1, meanAmount: 1)) - log(0.25)) < 1e-14)
        #expect(model.populationMean == nil)
        #expect(model.expectedSpend(purchases: 1, meanAmount: 1) == nil)
        // p = 2, q = 3, γ = 10: population mean 2·10/2 = 10; x = 4, m̄ = 20: 2·(10 + 80)/(8 + 2) = 18.
        let second = GammaGammaSpend(p: 2, q: 3, v: 10)
        #expect(second.populationMean == 10)
        #expect(second.expectedSpend(purchases: 4, meanAmount: 20) == 18)
        #expect(second.expectedSpend(purchases: 0, meanAmount: 0) == 10)
    }

    // MARK: - CDNOW: the published parameters, and the lifetimes package per customer

    static func cdnow() throws -> [(x: Double, tx: Double, age: Double, meanAmount: Double)] {
        let text = try String(contentsOfFile: fixture("cdnow/cdnow_summary.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: ",").map { Double($0)! }
            return (fields[1], fields[2], fields[3], fields[4])
        }
    }

    /// Fader, Hardie & Lee (2005), table 1 / section 5: r = 0.243, α = 4.414, a = 0.793,
    /// b = 2.426, LL = −9582.4 on the 2,357 customers' 39 weeks (time unit: week).
    @Test func bgnbdReproducesThePaperOnCDNOW() throws {
        let data = try Self.cdnow()
        #expect(data.count == 2357)
        let (model, fit) = try #require(BetaGeometricNBD.fit(data.map { Customer(repeatPurchases: $0.x, lastPurchase: $0.tx, age: $0.age) }))
        #expect(fit.converged)
        #expect(fit.unidentified.isEmpty)
        #expect(fit.customers == 2357)
        // Each published figure is the fitted value rounded to its last digit (0.001).
        for (value, published) in [(model.r, 0.243), (model.alpha, 4.414), (model.a, 0.793), (model.b, 2.426)] {
            #expect(abs(value - published) <= 0.0005, "\(value) vs \(published)")
        }
        #expect(abs(fit.logLikelihood - -9582.4) < 0.05)
    }

    /// Fader & Hardie (2013), "The Gamma-Gamma model of monetary value": p = 6.25, q = 3.74,
    /// γ = 15.44 on the 946 CDNOW customers with a repeat purchase.
    @Test func gammaGammaReproducesThePublishedFitOnCDNOW() throws {
        let repeaters = try Self.cdnow().filter { $0.x > 0 }
        #expect(repeaters.count == 946)
        let (model, fit) = try #require(GammaGammaSpend.fit(repeaters.map { .init(purchases: $0.x, meanAmount: $0.meanAmount) }))
        #expect(fit.converged)
        // Rounded to 0.01 where published; γ = 15.4477 (lifetimes) prints as 15.44 there, truncated.
        for (value, published) in [(model.p, 6.25), (model.q, 3.74), (model.v, 15.44)] {
            #expect(abs(value - published) <= 0.01, "\(value) vs \(published)")
        }
    }

    /// Figures from lifetimes 0.11.3 (`checks/customer_value.py` compares every customer) at its
    /// own fitted parameters: P(alive), E[purchases in 39 weeks], E[spend per purchase].
    @Test func perCustomerFiguresMatchLifetimes() throws {
        let bgnbd = BetaGeometricNBD(r: 0.24259292827982148, alpha: 4.413532265271809, a: 0.7928859664406578, b: 2.4257523826257374)
        let spend = GammaGammaSpend(p: 6.24880249607099, q: 3.7445884609237634, v: 15.447748064943575)
        let cases: [(x: Double, tx: Double, age: Double, m: Double, alive: Double, purchases: Double, spend: Double)] = [
            (2, 30.43, 38.86, 22.35, 0.72660914, 1.2259104241744068, 24.65861618923827),
            (1, 1.71, 38.86, 11.77, 0.21222739, 0.20325062425618798, 18.911479869933782),
            (0, 0, 38.86, 0, 1, 0.19478085793947836, 35.17100215250688),
            (26, 30.86, 31, 39.97, 0.96891972, 20.750570498762993, 39.89027723016221),
            (5, 36.14, 38.14, 17.47, 0.86295004, 3.331177739595258, 18.899360577050256),
        ]
        for c in cases {
            let customer = Customer(repeatPurchases: c.x, lastPurchase: c.tx, age: c.age)
            #expect(abs(bgnbd.probabilityAlive(customer) - c.alive) < 1e-8)
            #expect(abs(try #require(bgnbd.expectedPurchases(customer, during: 39)) - c.purchases) < 1e-9)
            #expect(abs(try #require(spend.expectedSpend(purchases: c.x, meanAmount: c.m)) - c.spend) < 1e-9)
        }
    }

    // MARK: - The fitting machinery

    @Test func maximizerStopsAtTheBoxAndSaysSo() {
        // f = −(θ − 5)² inside [−1, 2]: the best point is the upper bound.
        let result = BoundedMaximizer(lower: [-1], upper: [2]).maximize(from: [0]) { point in
            (-(point[0] - 5) * (point[0] - 5), [-2 * (point[0] - 5)])
        }
        #expect(result.point == [2])
        #expect(result.atBound == [0])
        #expect(result.converged)
    }

    @Test func maximizerFindsTheRosenbrockOptimum() {
        let result = BoundedMaximizer(lower: [-5, -5], upper: [5, 5]).maximize(from: [-1.2, 1]) { p in
            let (x, y) = (p[0], p[1])
            return (-(100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x)), [-(-400 * x * (y - x * x) - 2 * (1 - x)), -(200 * (y - x * x))])
        }
        #expect(result.converged)
        #expect(abs(result.point[0] - 1) < 1e-6 && abs(result.point[1] - 1) < 1e-6)
    }

    @Test func jacobiDiagonalisesASymmetricMatrix() {
        let matrix = [[4.0, 1, 2], [1, 3, 0.5], [2, 0.5, 5]]
        let (values, vectors) = SymmetricEigen.decompose(matrix)
        for k in 0..<3 {
            for i in 0..<3 {
                let product = (0..<3).reduce(0.0) { $0 + matrix[i][$1] * vectors[$1][k] }
                #expect(abs(product - values[k] * vectors[i][k]) < 1e-12)
            }
        }
        #expect(abs(values.reduce(0, +) - 12) < 1e-12)
    }

    /// Nobody buys twice: a and b (the drop-out) never enter the likelihood's data, so they are flagged.
    @Test func unidentifiedDropoutIsReported() throws {
        let customers = (0..<200).map { Customer(repeatPurchases: 0, lastPurchase: 0, age: Double(10 + $0 % 50)) }
        let (_, fit) = try #require(BetaGeometricNBD.fit(customers))
        // a and b are named: on a bound of the search, or in the flat combination.
        let named = fit.unidentified.flatMap { problem -> [String] in
            if let combination = problem.range(of: "combination of ") {
                return problem[combination.upperBound...].components(separatedBy: ", ")
            }
            return [String(problem.prefix { $0 != " " })]
        }
        #expect(named.contains("a") && named.contains("b"), "\(fit.unidentified)")
    }

    @Test func digammaMatchesKnownValues() {
        let eulerGamma = 0.57721566490153286
        #expect(abs(SpecialFunctions.digamma(1) + eulerGamma) < 1e-13)
        #expect(abs(SpecialFunctions.digamma(0.5) - (-eulerGamma - 2 * log(2.0))) < 1e-13)
        // ψ(x + 1) = ψ(x) + 1/x
        #expect(abs(SpecialFunctions.digamma(7.3) - SpecialFunctions.digamma(6.3) - 1 / 6.3) < 1e-13)
    }
}
