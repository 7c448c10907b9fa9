import Foundation

/// Customer value as of a day (docs/value.md): the BG/NBD and Gamma-Gamma models fitted to every
/// customer with a purchase in the figures window, then each customer's P(alive), expected
/// purchases and spend over the horizon, and CLV. Time is counted in local days.
///
/// Per customer: x = distinct purchase days − 1, tₓ = last − first purchase day, T = as_of − first
/// purchase day; the spend of a repeat purchase day is the net amount of the purchases (orders of
/// positive net amount) after the first purchase day, divided by x.
/// The models are fitted afresh every run from the same starting point, so the figures depend on
/// the data alone: a warehouse fed night by night gives the same as one loaded at once.
struct CustomerValue {
    struct Customer {
        let key: Int64
        let id: String
        /// nil: no purchase in the window (no model figures but the population's spend).
        var inputs: BetaGeometricNBD.Customer?
        /// Mean spend of a repeat purchase day (x > 0), in major currency units.
        var repeatMeanSpend: Double?
        var probabilityAlive: Double?
        var expectedPurchases: Double?
        /// Per purchase, in major currency units.
        var expectedSpend: Double?
        /// Expected margin over the horizon, discounted, in major currency units.
        var clv: Double?
        /// 1 … 10, 10 for the highest CLV; customers with equal CLV share a decile.
        var clvDecile: Int?
    }

    struct Model {
        var purchasing: (model: BetaGeometricNBD, fit: LikelihoodFit)?
        var spending: (model: GammaGammaSpend, fit: LikelihoodFit)?
        /// Pearson correlation of repeat purchases and spend per repeat day over the customers
        /// Gamma-Gamma is fitted to: the model assumes it is near 0.
        var frequencySpendCorrelation: Double?
        var marginShare: Double
        var horizonDays: Int
        var discountRateAnnual: Double

        /// The BG/NBD fit converged with every parameter identified: the offers act on it only then.
        var purchasingTrusted: Bool {
            purchasing.map { $0.fit.converged && $0.fit.unidentified.isEmpty } ?? false
        }
    }

    var customers: [Customer]
    var model: Model
    var warnings: [String]

    /// CLV sums the expected purchases of 30-day steps, each discounted from its end.
    static let stepDays = 30
    /// |correlation| from which the Gamma-Gamma independence assumption is reported as doubtful.
    static let correlationWarning = 0.3

    /// - Parameters:
    ///   - known: every customer (key, id), in output order.
    ///   - marginShare: the window's margin as a share of its revenue.
    static func compute(known: [(key: Int64, id: String)], aggregates: CustomerAggregates, asOf: Int64, clock: ZoneClock,
                        config: PipelineConfig.ValueConfig, marginShare: Double) -> CustomerValue {
        var customers: [Customer] = []
        customers.reserveCapacity(known.count)
        var purchasers: [BetaGeometricNBD.Customer] = []
        var repeaters: [GammaGammaSpend.Customer] = []
        var repeatSpend: [Double] = []
        for (key, id) in known {
            let k = Int(key)
            var customer = Customer(key: key, id: id)
            if aggregates.frequency[k] >= 1 {
                let first = clock.localDay(utcSeconds: aggregates.firstPurchaseAt[k])
                let last = clock.localDay(utcSeconds: aggregates.lastPurchaseAt[k])
                let x = Double(aggregates.activeDays[k] - 1)
                let inputs = BetaGeometricNBD.Customer(repeatPurchases: x, lastPurchase: Double(last - first), age: Double(asOf - first))
                customer.inputs = inputs
                purchasers.append(inputs)
                if x > 0 {
                    let mean = Double(aggregates.repeatNetMinor[k]) / Double(Money.scale) / x
                    customer.repeatMeanSpend = mean
                    repeatSpend.append(mean)
                    repeaters.append(GammaGammaSpend.Customer(purchases: x, meanAmount: mean))
                }
            }
            customers.append(customer)
        }

        var warnings: [String] = []
        var model = Model(marginShare: marginShare, horizonDays: config.horizonDays, discountRateAnnual: config.discountRateAnnual)
        model.purchasing = BetaGeometricNBD.fit(purchasers)
        model.spending = repeaters.count >= 2 ? GammaGammaSpend.fit(repeaters) : nil
        model.frequencySpendCorrelation = pearson(repeaters.map(\.purchases), repeatSpend)
        if purchasers.isEmpty { warnings.append("customer value: no customer has a purchase in the window; no model fitted") }
        if repeaters.count < 2 { warnings.append("customer value: fewer than 2 customers bought on a second day; spend per purchase not fitted") }
        for (name, fit) in [("BG/NBD", model.purchasing?.fit), ("Gamma-Gamma", model.spending?.fit)] {
            guard let fit else { continue }
            if !fit.converged { warnings.append("customer value: the \(name) fit did not converge (gradient \(fit.gradient))") }
            for problem in fit.unidentified { warnings.append("customer value: \(name) \(problem): the data cannot identify it") }
        }
        if let spending = model.spending, spending.model.q <= 1 {
            warnings.append("customer value: Gamma-Gamma q = \(spending.model.q) ≤ 1 leaves mean spend undefined; spend and CLV left empty")
        }
        if let correlation = model.frequencySpendCorrelation, abs(correlation) >= correlationWarning {
            warnings.append("customer value: repeat purchases and spend per purchase correlate (\(NumberFormat.shortest(correlation))); "
                + "Gamma-Gamma assumes they do not, so spend estimates lean")
        }

        let (unsummed, outOfRange) = score(&customers, model: model)
        if unsummed > 0 {
            warnings.append("customer value: \(unsummed) customer(s)' expected purchases did not converge; they and CLV left empty")
        }
        if outOfRange > 0 {
            warnings.append("customer value: \(outOfRange) customer(s) have an expected spend or CLV that is not a finite amount below "
                + "\(NumberFormat.shortest(largestMoney)); left empty")
        }
        assignDeciles(&customers)
        return CustomerValue(customers: customers, model: model, warnings: warnings)
    }

    /// Each customer's figures. The expected-purchase series depends on (x, T) only, and many
    /// customers share them: each pair is worked out once, for every step of the horizon.
    /// - Returns: customers whose expected purchases did not converge, and whose spend or CLV is
    ///   out of range (`largestMoney`).
    private static func score(_ customers: inout [Customer], model: Model) -> (unsummed: Int, outOfRange: Int) {
        let spending = model.spending?.model
        let populationSpend = spending?.populationMean
        guard let purchasing = model.purchasing?.model else {
            for index in customers.indices { customers[index].expectedSpend = populationSpend }
            return (0, 0)
        }
        var unsummed = 0, outOfRange = 0
        var ends = Array(stride(from: stepDays, to: model.horizonDays, by: stepDays))
        ends.append(model.horizonDays)
        let discounts = ends.map { pow(1 + model.discountRateAnnual, -Double($0) / 365) }
        struct Key: Hashable { let x: Double, age: Double }
        // For each (x, T): E[purchases by each step end] / P(alive), and the discounted sum of the steps.
        var series: [Key: (total: Double, discounted: Double)?] = [:]
        for index in customers.indices {
            guard let inputs = customers[index].inputs else {
                customers[index].expectedSpend = populationSpend
                continue
            }
            let key = Key(x: inputs.repeatPurchases, age: inputs.age)
            if series[key] == nil {
                var previous = 0.0, discounted = 0.0, failed = false
                for (step, end) in ends.enumerated() {
                    guard let expected = purchasing.expectedPurchasesIfAlive(repeatPurchases: key.x, age: key.age, during: Double(end)) else {
                        failed = true
                        break
                    }
                    discounted += (expected - previous) * discounts[step]
                    previous = expected
                }
                series[key] = failed ? .some(nil) : (previous, discounted)
            }
            let alive = purchasing.probabilityAlive(inputs)
            customers[index].probabilityAlive = finite(alive)
            // For x = 0 the customer's own mean has no weight: the population's mean.
            let spend = spending?.expectedSpend(purchases: inputs.repeatPurchases, meanAmount: customers[index].repeatMeanSpend ?? 0)
            customers[index].expectedSpend = spend.flatMap(money)
            let spendOutOfRange = spend != nil && customers[index].expectedSpend == nil
            guard let sums = series[key] ?? nil else {
                unsummed += 1
                if spendOutOfRange { outOfRange += 1 }
                continue
            }
            customers[index].expectedPurchases = finite(sums.total * alive)
            if let spend { customers[index].clv = money(sums.discounted * alive * spend * model.marginShare) }
            if spendOutOfRange || (spend != nil && customers[index].clv == nil) { outOfRange += 1 }
        }
        return (unsummed, outOfRange)
    }

    /// Parameters at the edge of the search can overflow a figure: it is left empty, not printed as inf.
    private static func finite(_ value: Double) -> Double? {
        value.isFinite ? value : nil
    }

    /// Money figures beyond a trillion a customer are a model off the rails (Gamma-Gamma's q just
    /// above 1, say), and would not fit the warehouse's integer minor units: left empty.
    static let largestMoney = 1e12

    private static func money(_ value: Double) -> Double? {
        value.isFinite && abs(value) < largestMoney ? value : nil
    }

    /// Decile d = 1 + ⌊10 × (customers with a lower CLV) / (customers with a CLV)⌋, on CLV in
    /// whole cents as the outputs show it: two customers with the same CLV share a decile.
    private static func assignDeciles(_ customers: inout [Customer]) {
        let values = customers.compactMap { $0.clv.map(ValueReports.minorUnits) }.sorted()
        guard !values.isEmpty else { return }
        for index in customers.indices {
            guard let clv = customers[index].clv.map(ValueReports.minorUnits) else { continue }
            var low = 0, high = values.count
            while low < high {
                let middle = (low + high) / 2
                if values[middle] < clv { low = middle + 1 } else { high = middle }
            }
            customers[index].clvDecile = 1 + 10 * low / values.count
        }
    }

    static func pearson(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count >= 2, a.count == b.count else { return nil }
        let n = Double(a.count)
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
        for i in a.indices {
            let (da, db) = (a[i] - meanA, b[i] - meanB)
            covariance += da * db
            varianceA += da * da
            varianceB += db * db
        }
        guard varianceA > 0, varianceB > 0 else { return nil }
        return covariance / (varianceA * varianceB).squareRoot()
    }
}
