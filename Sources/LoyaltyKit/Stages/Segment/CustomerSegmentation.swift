/// The segment stage's figures for every known customer, computed from the aggregates with no
/// database access: RFM figures, 1…N scores, the rule segment and the k-means cluster.
struct CustomerSegmentation {
    struct Customer {
        let key: Int64
        let id: String
        var recencyDays: Int?
        var frequency: Int
        var monetaryMinor: Int64
        var activityCoefficient: Double?
        var scores: (r: Int, f: Int, m: Int)?
        var segment: String
        var cluster: Int?
        var firstPurchaseAt: Int64?
        var lastPurchaseAt: Int64?

        var rfmScore: Int? { scores.map { 100 * $0.r + 10 * $0.f + $0.m } }
    }

    var customers: [Customer]
    /// recency, frequency, monetary (empty when nobody is scored).
    var thresholds: [(dimension: String, thresholds: RFMScoring.Thresholds)]
    var clusters: CustomerClusters
    var warnings: [String]

    /// - Parameters:
    ///   - known: every customer (key, id), in output order.
    ///   - asOf: the analysis day; `lookbackDays` nil = all history.
    static func compute(known: [(key: Int64, id: String)], aggregates: CustomerAggregates, asOf: Int64, lookbackDays: Int?,
                        config: PipelineConfig.SegmentConfig, seed: UInt64, clock: ZoneClock) -> CustomerSegmentation {
        var customers: [Customer] = []
        customers.reserveCapacity(known.count)
        var scoredIndex: [Int] = []
        for (key, id) in known {
            let k = Int(key)
            let frequency = Int(aggregates.frequency[k])
            var customer = Customer(
                key: key, id: id, recencyDays: nil, frequency: frequency, monetaryMinor: aggregates.monetaryMinor[k],
                activityCoefficient: nil, scores: nil, segment: SegmentRuleBook.noPurchases, cluster: nil,
                firstPurchaseAt: nil, lastPurchaseAt: nil)
            if frequency >= 1 {
                let first = aggregates.firstPurchaseAt[k], last = aggregates.lastPurchaseAt[k]
                customer.firstPurchaseAt = first
                customer.lastPurchaseAt = last
                customer.recencyDays = Int(asOf - clock.localDay(utcSeconds: last))
                let periodDays = lookbackDays.map(Int64.init) ?? (asOf - clock.localDay(utcSeconds: first) + 1)
                customer.activityCoefficient = Double(aggregates.activeDays[k]) / Double(periodDays)
                scoredIndex.append(customers.count)
            }
            customers.append(customer)
        }

        var warnings: [String] = []
        var thresholds: [(String, RFMScoring.Thresholds)] = []
        var clusters = CustomerClusters(labels: [], profiles: [], silhouettes: [])
        let book = SegmentRuleBook(rules: config.rules, bins: config.bins)
        for rule in book.hiddenRules {
            warnings.append("segment rule '\(rule)' never applies: earlier rules take every score combination it holds")
        }
        let toOthers = book.combinationsToOthers
        if !toOthers.isEmpty {
            warnings.append("\(toOthers.count) score combination(s) match no rule and become '\(SegmentRuleBook.others)': "
                + toOthers.map(String.init).joined(separator: " "))
        }
        guard !scoredIndex.isEmpty else {
            return CustomerSegmentation(customers: customers, thresholds: [], clusters: clusters, warnings: warnings)
        }

        let recency = scoredIndex.map { Double(customers[$0].recencyDays ?? 0) }
        let frequency = scoredIndex.map { Double(customers[$0].frequency) }
        let monetary = scoredIndex.map { Double(customers[$0].monetaryMinor) / Double(Money.scale) }
        let r = RFMScoring.score(recency, bins: config.bins, direction: .descending, fixedCutPoints: config.cutPoints.recency)
        let f = RFMScoring.score(frequency, bins: config.bins, direction: .ascending, fixedCutPoints: config.cutPoints.frequency)
        let m = RFMScoring.score(monetary, bins: config.bins, direction: .ascending, fixedCutPoints: config.cutPoints.monetary)
        thresholds = [("recency", r.thresholds), ("frequency", f.thresholds), ("monetary", m.thresholds)]
        for (dimension, threshold) in thresholds where !threshold.emptyScores.isEmpty {
            warnings.append("\(dimension): no customer has score \(threshold.emptyScores.map(String.init).joined(separator: ", ")) "
                + "(cut points \(threshold.cutPoints.map { "\($0)" }.joined(separator: ", ")) coincide or leave a bin empty)")
        }
        clusters = CustomerClusters.fit(recencyDays: recency, frequency: frequency, monetary: monetary, k: config.k, kRange: config.kRange,
                                        restarts: config.nInit, maxIterations: config.maxIter, seed: seed)
        for (position, index) in scoredIndex.enumerated() {
            let scores = (r.scores[position], f.scores[position], m.scores[position])
            customers[index].scores = scores
            customers[index].segment = book.segment(r: scores.0, f: scores.1, m: scores.2)
            customers[index].cluster = clusters.labels[position]
        }
        return CustomerSegmentation(customers: customers, thresholds: thresholds, clusters: clusters, warnings: warnings)
    }
}
