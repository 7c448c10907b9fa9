import GRDB

/// The night's headline figures for `kpi_summary.json` (docs/outputs.md): the customer base
/// from the segment stage's `customer_rfm`, sales from `OrderActivity` (anonymous purchases
/// included, returns subtracted).
struct KPISummary: Equatable {
    var asOf = ""
    /// First day of the figures window (`segment.lookback_days`); nil = all history.
    var periodFrom: String?
    var customers = 0
    /// Customers with at least one order of positive amount in the window.
    var buyers = 0
    var activeCustomers = 0
    var newCustomers = 0
    var revenueMinor: Int64 = 0
    var orders = 0
    var buyerOrders = 0
    var repeatBuyers = 0
    var activitySum = 0.0
    var bonusEarnedMinor: Int64 = 0
    var bonusSpentMinor: Int64 = 0
    var activeDays = 0
    var newDays = 0

    var purchaseFrequency: Double? { buyers > 0 ? Double(buyerOrders) / Double(buyers) : nil }
    var repeatRate: Double? { buyers > 0 ? Double(repeatBuyers) / Double(buyers) : nil }
    var meanActivityCoefficient: Double? { buyers > 0 ? activitySum / Double(buyers) : nil }

    static func load(_ db: Database, context: StageContext, activity: OrderActivity) throws -> KPISummary {
        let config = context.config
        let asOf = context.asOf
        var kpis = KPISummary()
        kpis.asOf = context.settings.asOfText
        kpis.periodFrom = config.segment.lookbackDays.map { CivilDate.format(asOf - Int64($0) + 1) }
        kpis.activeDays = config.publish.activeDays
        kpis.newDays = config.publish.newDays
        let newSince = context.clock.startOfDay(asOf - Int64(config.publish.newDays) + 1)
        try RowScan.forEach(db, sql: "SELECT frequency, recency_days, first_order_at, activity_coefficient FROM customer_rfm") { row in
            kpis.customers += 1
            let frequency = Int(row.int64(0))
            guard frequency > 0 else { return }
            kpis.buyers += 1
            kpis.buyerOrders += frequency
            if frequency >= 2 { kpis.repeatBuyers += 1 }
            if let recency = row.optionalInt64(1), recency < Int64(config.publish.activeDays) { kpis.activeCustomers += 1 }
            if let first = row.optionalInt64(2), first >= newSince { kpis.newCustomers += 1 }
            kpis.activitySum += row.optionalDouble(3) ?? 0
        }
        kpis.revenueMinor = activity.revenueMinor
        kpis.orders = activity.orders
        kpis.bonusEarnedMinor = activity.bonusEarnedMinor
        kpis.bonusSpentMinor = activity.bonusSpentMinor
        return kpis
    }

    /// kpi_summary.json: one object, keys in a fixed order, money with 2 decimals.
    var json: String {
        func real(_ value: Double?) -> String { value.map(NumberFormat.shortest) ?? "null" }
        func text(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "null" }
        let fields: [(String, String)] = [
            ("as_of", text(asOf)), ("period_from", text(periodFrom)), ("period_to", text(asOf)),
            ("customers", "\(customers)"), ("buyers", "\(buyers)"), ("active_customers", "\(activeCustomers)"),
            ("new_customers", "\(newCustomers)"), ("revenue", Money.format(revenueMinor)), ("orders", "\(orders)"),
            ("average_check", orders > 0 ? Money.format(revenueMinor, dividedBy: Int64(orders)) : "null"),
            ("purchase_frequency", real(purchaseFrequency)), ("repeat_rate", real(repeatRate)),
            ("mean_activity_coefficient", real(meanActivityCoefficient)),
            ("bonus_earned", Money.format(bonusEarnedMinor)), ("bonus_spent", Money.format(bonusSpentMinor)),
            ("active_days", "\(activeDays)"), ("new_days", "\(newDays)"),
        ]
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }
}
