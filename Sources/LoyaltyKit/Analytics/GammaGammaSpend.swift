import Foundation

/// The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader &
/// Hardie 2013, "The Gamma-Gamma model of monetary value"): a customer's purchase amounts are
/// Gamma(p, ν), ν ~ Gamma(q, γ) across customers (γ is `v` here, as in the lifetimes package).
/// It assumes spend per purchase does not depend on how often a customer buys.
public struct GammaGammaSpend: Equatable, Sendable {
    public var p: Double
    public var q: Double
    public var v: Double

    public init(p: Double, q: Double, v: Double) {
        self.p = p
        self.q = q
        self.v = v
    }

    /// A customer's x > 0 repeat purchases and their mean amount m̄ > 0.
    public struct Customer: Equatable, Sendable {
        public var purchases: Double
        public var meanAmount: Double

        public init(purchases: Double, meanAmount: Double) {
            self.purchases = purchases
            self.meanAmount = meanAmount
        }
    }

    /// ln f(m̄ | x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + m̄x).
    public func logLikelihood(_ customer: Customer) -> Double {
        let (x, m) = (customer.purchases, customer.meanAmount)
        let px = p * x
        return SpecialFunctions.logGamma(px + q) - SpecialFunctions.logGamma(px) - SpecialFunctions.logGamma(q) + q * log(v)
            + (px - 1) * log(m) + px * log(x) - (px + q) * log(v + m * x)
    }

    /// The population's mean spend per purchase, pγ/(q−1); nil unless q > 1 (the mean is infinite).
    public var populationMean: Double? {
        q > 1 ? p * v / (q - 1) : nil
    }

    /// E[spend per purchase | x, m̄] = p(γ + x m̄)/(px + q − 1): the population mean for x = 0,
    /// moving towards the customer's own mean as purchases accumulate. nil unless q > 1.
    public func expectedSpend(purchases x: Double, meanAmount m: Double) -> Double? {
        guard q > 1 else { return nil }
        return p * (v + x * m) / (p * x + q - 1)
    }

    /// The parameters of largest likelihood (`LikelihoodFit`), from p = 1, q = 2, γ = the mean
    /// amount (so the fit does not depend on the currency unit). Distinct (x, m̄) count once, weighted.
    /// - Returns: nil without customers.
    public static func fit(_ customers: [Customer]) -> (model: GammaGammaSpend, fit: LikelihoodFit)? {
        guard !customers.isEmpty else { return nil }
        var distinctX: [Double] = [], xIndex: [Int], logMean: [Double] = [], mean: [Double] = [], weight: [Double] = []
        xIndex = []
        for customer in customers.sorted(by: { ($0.purchases, $0.meanAmount) < ($1.purchases, $1.meanAmount) }) {
            if let last = weight.indices.last, distinctX[xIndex[last]] == customer.purchases, mean[last] == customer.meanAmount {
                weight[last] += 1
                continue
            }
            if distinctX.last != customer.purchases { distinctX.append(customer.purchases) }
            xIndex.append(distinctX.count - 1)
            mean.append(customer.meanAmount)
            logMean.append(log(customer.meanAmount))
            weight.append(1)
        }
        let total = Double(customers.count)
        let meanAmount = customers.reduce(0.0) { $0 + $1.meanAmount } / total
        let fit = LikelihoodFit.maximize(names: ["p", "q", "v"], start: [1, 2, meanAmount], customers: customers.count) { parameters in
            let (p, q, v) = (parameters[0], parameters[1], parameters[2])
            let lg = SpecialFunctions.logGamma, psi = SpecialFunctions.digamma
            let perX = distinctX.map { x -> (value: Double, dp: Double, dq: Double) in
                let px = p * x
                return (lg(px + q) - lg(px) - lg(q) + q * log(v) + px * log(x), x * (psi(px + q) - psi(px) + log(x)), psi(px + q) - psi(q) + log(v))
            }
            let sums = ChunkedSum.sum(rows: weight.count, components: 4) { range, sums in
                var value = 0.0, gp = 0.0, gq = 0.0, gv = 0.0
                for i in range {
                    let x = distinctX[xIndex[i]], terms = perX[xIndex[i]]
                    let px = p * x
                    let spread = v + mean[i] * x
                    let logSpread = log(spread)
                    let w = weight[i]
                    value += w * (terms.value + (px - 1) * logMean[i] - (px + q) * logSpread)
                    gp += w * (terms.dp + x * (logMean[i] - logSpread))
                    gq += w * (terms.dq - logSpread)
                    gv += w * (q / v - (px + q) / spread)
                }
                sums = [value, gp, gq, gv]
            }
            return (sums[0] / total, sums[1...].map { $0 / total })
        }
        let parameters = fit.parameters
        return (GammaGammaSpend(p: parameters[0], q: parameters[1], v: parameters[2]), fit)
    }
}
