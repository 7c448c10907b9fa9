import Foundation

extension BetaGeometricNBD {
    /// The parameters of largest likelihood for these customers (`LikelihoodFit`), from
    /// r = a = b = 1 and α = the mean age (so the fit does not depend on the time unit).
    ///
    /// Customers with the same (x, tₓ, T) are counted once with a weight; the terms that depend
    /// on x alone are worked out once per distinct x; the rest runs on all cores (`ChunkedSum`).
    /// - Returns: nil without customers.
    public static func fit(_ customers: [Customer]) -> (model: BetaGeometricNBD, fit: LikelihoodFit)? {
        guard !customers.isEmpty else { return nil }
        let data = Compressed(customers)
        let meanAge = customers.reduce(0.0) { $0 + $1.age } / Double(customers.count)
        let fit = LikelihoodFit.maximize(names: ["r", "alpha", "a", "b"], start: [1, max(meanAge, 1e-3), 1, 1],
                                         customers: customers.count) { data.meanLogLikelihood($0) }
        let p = fit.parameters
        return (BetaGeometricNBD(r: p[0], alpha: p[1], a: p[2], b: p[3]), fit)
    }

    /// Distinct customers with their counts, sorted; x values indexed.
    struct Compressed {
        var xIndex: [Int32] = []
        var lastPurchase: [Double] = []
        var age: [Double] = []
        var weight: [Double] = []
        var distinctX: [Double] = []
        let total: Double

        init(_ customers: [Customer]) {
            total = Double(customers.count)
            let sorted = customers.sorted {
                ($0.repeatPurchases, $0.lastPurchase, $0.age) < ($1.repeatPurchases, $1.lastPurchase, $1.age)
            }
            for customer in sorted {
                if let last = weight.indices.last, distinctX[Int(xIndex[last])] == customer.repeatPurchases,
                   lastPurchase[last] == customer.lastPurchase, age[last] == customer.age {
                    weight[last] += 1
                    continue
                }
                if distinctX.last != customer.repeatPurchases { distinctX.append(customer.repeatPurchases) }
                xIndex.append(Int32(distinctX.count - 1))
                lastPurchase.append(customer.lastPurchase)
                age.append(customer.age)
                weight.append(1)
            }
        }

        /// Mean log-likelihood and its gradient in (r, α, a, b).
        func meanLogLikelihood(_ parameters: [Double]) -> (value: Double, gradient: [Double]) {
            let (r, alpha, a, b) = (parameters[0], parameters[1], parameters[2], parameters[3])
            let lg = SpecialFunctions.logGamma, psi = SpecialFunctions.digamma
            // Per distinct x: the x-only part of ln L and of each partial derivative.
            let constant = lg(r) - r * log(alpha) - lg(a + b) + lg(b)
            let perX = distinctX.map { x -> (value: Double, dr: Double, da: Double, db: Double, logBx: Double, inverseBx: Double) in
                let value = lg(r + x) + lg(b + x) - lg(a + b + x) - constant
                let dr = psi(r + x) - psi(r) + log(alpha)
                let da = psi(a + b) - psi(a + b + x)
                let db = psi(a + b) + psi(b + x) - psi(b) - psi(a + b + x)
                return x > 0 ? (value, dr, da, db, log(b + x - 1), 1 / (b + x - 1)) : (value, dr, da, db, 0, 0)
            }
            let logA = log(a)
            let totals = ChunkedSum.sum(rows: weight.count, components: 5) { range, sums in
                var value = 0.0, gr = 0.0, gAlpha = 0.0, ga = 0.0, gb = 0.0
                for i in range {
                    let xi = Int(xIndex[i])
                    let x = distinctX[xi], terms = perX[xi]
                    let s = r + x
                    let logAge = log(alpha + age[i])
                    let survived = -s * logAge
                    var ll = terms.value, dr = terms.dr, dAlpha = r / alpha, da = terms.da, db = terms.db
                    if x > 0 {
                        let logLast = log(alpha + lastPurchase[i])
                        let droppedOut = logA - terms.logBx - s * logLast
                        let high = max(survived, droppedOut)
                        let (eSurvived, eDropped) = (exp(survived - high), exp(droppedOut - high))
                        let sum = eSurvived + eDropped
                        let (w3, w4) = (eSurvived / sum, eDropped / sum)
                        ll += high + log(sum)
                        dr -= w3 * logAge + w4 * logLast
                        dAlpha -= s * (w3 / (alpha + age[i]) + w4 / (alpha + lastPurchase[i]))
                        da += w4 / a
                        db -= w4 * terms.inverseBx
                    } else {
                        ll += survived
                        dr -= logAge
                        dAlpha -= s / (alpha + age[i])
                    }
                    let w = weight[i]
                    value += w * ll
                    gr += w * dr
                    gAlpha += w * dAlpha
                    ga += w * da
                    gb += w * db
                }
                sums = [value, gr, gAlpha, ga, gb]
            }
            return (totals[0] / total, totals[1...].map { $0 / total })
        }
    }
}
