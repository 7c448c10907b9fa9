import GRDB

/// The latest `loyalty backtest` whose horizon ended by the report's as_of, as report.html shows it: per group of
/// customers (everyone with an offer, cross-sell and up-sell, each offer type with products),
/// precision@3 of the offers, their candidates and two baselines, everyone together.
struct ReportBacktest: Equatable {
    struct Group: Equatable {
        /// backtest.csv's offer_type: `all`, `cross_sell+up_sell` or a type.
        let scope: String
        let customers: Int
        let buyers: Int
        /// precision@3 by recommender; nil when nobody in the group had that list.
        var precision: [BacktestFigures.Recommender: Double] = [:]
        /// Hits in the first three offers, and the revenue they carried.
        var offerHits = 0
        var offerHitRevenueMinor: Int64 = 0
    }

    let asOf: String
    let horizonDays: Int
    let customersWithOffers: Int
    let buyers: Int
    /// The last day with an order in the warehouse when it ran, when that was before the
    /// horizon's end (the days after it counted as days without purchases); nil otherwise.
    var cutShort: String?
    /// Groups whose offers name products, in backtest.csv's order.
    var groups: [Group] = []

    /// The recommenders the chart compares, in panel order.
    static let compared: [BacktestFigures.Recommender] = [.offers, .candidates, .popular, .ownRepeats]

    /// The latest backtest whose horizon ended by `asOf` (the longest of that day's), nil without
    /// one: a report must not show purchases of days after its own.
    static func load(_ db: Database, asOf: String) throws -> ReportBacktest? {
        guard let run = try Row.fetchOne(db, sql: """
            SELECT as_of, horizon_days, customers_with_offers, buyers,
                   CASE WHEN last_order_day < date(as_of, '+' || horizon_days || ' days') THEN last_order_day END
            FROM backtest_run
            WHERE date(as_of, '+' || horizon_days || ' days') <= ? ORDER BY as_of DESC, horizon_days DESC LIMIT 1
            """, arguments: [asOf]) else { return nil }
        var backtest = ReportBacktest(asOf: run[0], horizonDays: run[1], customersWithOffers: run[2], buyers: run[3], cutShort: run[4])
        var byScope: [String: Group] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT offer_type, recommender, customers, buyers, precision, hits, hit_revenue_minor FROM backtest_result
            WHERE as_of = ? AND horizon_days = ? AND segment = 'all' AND k = 3
            """, arguments: [backtest.asOf, backtest.horizonDays]) {
            let scope: String = row[0]
            guard let recommender = BacktestFigures.Recommender(rawValue: row[1]) else { continue }
            var group = byScope[scope] ?? Group(scope: scope, customers: row[2], buyers: row[3])
            if let precision: Double = row[4] { group.precision[recommender] = precision }
            if recommender == .offers {
                group.offerHits = row[5]
                group.offerHitRevenueMinor = row[6]
            }
            byScope[scope] = group
        }
        let order = BacktestFigures.Scope.allScopes.map(\.name)
        backtest.groups = order.compactMap { byScope[$0] }.filter { $0.precision[.offers] != nil }
        return backtest
    }
}
