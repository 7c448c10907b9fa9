import GRDB

/// What the backtest writes: backtest.csv, the lists behind it (on request), its rows in the
/// warehouse for the report, and the lines the command prints.
enum BacktestReports {
    static let header = ["as_of", "horizon_days", "offer_type", "segment", "recommender", "k", "customers", "buyers", "precision", "recall",
                         "map", "ndcg", "hit_rate", "coverage", "hits", "hit_revenue", "hit_margin"]

    static func writeFigures(_ rows: [BacktestFigures.Row], asOf: String, horizonDays: Int, to outputs: OutputFolder) throws {
        try outputs.writeCSV(Backtest.figuresFile, header: header) { csv in
            for row in rows {
                try csv.raw(asOf)
                try csv.integer(horizonDays)
                try csv.text(row.scope)
                try csv.text(row.segment)
                try csv.text(row.recommender.rawValue)
                try csv.integer(row.k)
                try csv.integer(row.customers)
                try csv.integer(row.buyers)
                try csv.real(row.metrics?.precision)
                try csv.real(row.metrics?.recall)
                try csv.real(row.metrics?.meanAveragePrecision)
                try csv.real(row.metrics?.ndcg)
                try csv.real(row.metrics?.hitRate)
                try csv.real(row.coverage)
                try csv.integer(row.hits)
                try csv.money(row.hitRevenueMinor)
                try csv.money(row.hitMarginMinor)
                try csv.endRow()
            }
        }
    }

    /// Every customer's lists, best first: the offers (with their type), every candidate (with its
    /// type) and the three baselines. Customer ids: personal data, mode 0600.
    static func writeLists(_ decided: Backtest.Decided, to outputs: OutputFolder) throws {
        let products = decided.catalog.products
        let customers = decided.result.customers, offers = decided.result.offers
        try outputs.writeCSV(Backtest.listsFile, header: ["customer_id", "list", "offer_type", "rank", "product_id"], mode: 0o600) { csv in
            var next = 0
            for (index, customer) in customers.enumerated() {
                func emit(_ list: String, _ type: OfferType?, _ rank: Int, _ product: Int32?) throws {
                    try csv.text(customer.id)
                    try csv.raw(list)
                    try csv.raw(type?.rawValue)
                    try csv.integer(rank)
                    try csv.text(product.map { products[Int($0)].id })
                    try csv.endRow()
                }
                while next < offers.count && offers[next].customer == index {
                    try emit("offers", offers[next].candidate.type, offers[next].rank, offers[next].candidate.product)
                    next += 1
                }
                let lists = decided.lists[index]
                for (position, product) in lists.candidates.enumerated() {
                    try emit("candidates", lists.candidateType(at: position), position + 1, product)
                }
                for (name, list) in [("popular", lists.popular), ("popular_in_category", lists.popularInCategory), ("own_repeats", lists.ownRepeats)] {
                    for (position, product) in list.enumerated() { try emit(name, nil, position + 1, product) }
                }
            }
        }
    }

    /// Replaces the warehouse's figures of this as_of and horizon.
    static func store(_ db: Database, rows: [BacktestFigures.Row], asOf: String, horizonDays: Int, runKey: Int64, customers: Int,
                      customersWithOffers: Int, buyers: Int, lastOrderDay: String) throws {
        try db.execute(sql: "DELETE FROM backtest_run WHERE as_of = ? AND horizon_days = ?", arguments: [asOf, horizonDays])
        try db.execute(sql: "DELETE FROM backtest_result WHERE as_of = ? AND horizon_days = ?", arguments: [asOf, horizonDays])
        try db.execute(sql: """
            INSERT INTO backtest_run (as_of, horizon_days, made_by_run, customers, customers_with_offers, buyers, last_order_day)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [asOf, horizonDays, runKey, customers, customersWithOffers, buyers, lastOrderDay])
        let insert = try db.makeStatement(sql: """
            INSERT INTO backtest_result (as_of, horizon_days, offer_type, segment, recommender, k, customers, buyers, precision, recall, map,
                                         ndcg, hit_rate, coverage, hits, hit_revenue_minor, hit_margin_minor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in rows {
            try insert.execute(arguments: [asOf, horizonDays, row.scope, row.segment, row.recommender.rawValue, row.k, row.customers, row.buyers,
                                           row.metrics?.precision, row.metrics?.recall, row.metrics?.meanAveragePrecision, row.metrics?.ndcg,
                                           row.metrics?.hitRate, row.coverage, row.hits, row.hitRevenueMinor, row.hitMarginMinor])
        }
    }

    /// Per offer type, everyone: precision@3 of the offers, their candidates and the best baseline.
    static func summary(_ rows: [BacktestFigures.Row]) -> [String] {
        var lines: [String] = []
        let overall = rows.filter { $0.segment == "all" && $0.k == 3 }
        var scopes: [String] = []
        for row in overall where !scopes.contains(row.scope) { scopes.append(row.scope) }
        for scope in scopes {
            let group = overall.filter { $0.scope == scope }
            guard let first = group.first else { continue }
            func precision(_ recommender: BacktestFigures.Recommender) -> String {
                group.first { $0.recommender == recommender }?.metrics.map { NumberFormat.forPeople($0.precision) } ?? "–"
            }
            lines.append("\(scope): \(first.customers) customers, \(first.buyers) bought; precision@3 offers \(precision(.offers)), "
                + "candidates \(precision(.candidates)), popular \(precision(.popular)), popular in category \(precision(.popularInCategory)), "
                + "own repeats \(precision(.ownRepeats))")
        }
        return lines
    }
}
