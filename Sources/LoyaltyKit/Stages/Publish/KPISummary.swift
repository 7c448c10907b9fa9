/// The night's headline figures for `kpi_summary.json` (docs/outputs.md): the customer base
/// from the segment stage's `customer_rfm`, sales from the aggregates' `agg_total` (anonymous
/// purchases included, returns subtracted).
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

    /// Cut-off of `newCustomers`: the start of the first day of the `newDays` window.
    private var newSince = Int64.min

    init() {}

    init(context: StageContext) {
        let config = context.config
        asOf = context.settings.asOfText
        periodFrom = config.segment.lookbackDays.map { CivilDate.format(context.asOf - Int64($0) + 1) }
        activeDays = config.publish.activeDays
        newDays = config.publish.newDays
        newSince = context.clock.startOfDay(context.asOf - Int64(newDays) + 1)
    }

    /// One customer of `customer_rfm`, as the segments report's pass over it reads them.
    mutating func addCustomer(_ customer: SegmentsReport.Customer) {
        customers += 1
        guard customer.frequency > 0 else { return }
        buyers += 1
        buyerOrders += customer.frequency
        if customer.frequency >= 2 { repeatBuyers += 1 }
        if let recency = customer.recencyDays, recency < Int64(activeDays) { activeCustomers += 1 }
        if let first = customer.firstOrderAt, first >= newSince { newCustomers += 1 }
        activitySum += customer.activityCoefficient ?? 0
    }

    /// The window's sales, from the aggregates.
    mutating func addSales(_ sales: SalesAggregates) {
        revenueMinor = sales.revenueMinor
        orders = sales.paidOrders
        bonusEarnedMinor = sales.bonusEarnedMinor
        bonusSpentMinor = sales.bonusSpentMinor
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
