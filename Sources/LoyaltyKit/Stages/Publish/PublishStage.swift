/// Publish: the reports marketers and BI tools read every morning, from what the earlier stages
/// left in the warehouse. It writes files only and owns no tables.
public struct PublishStage: Stage {
    public let name = "publish"
    public let reads = ["customer", "customer_rfm", "product", "category", "order_line", "segment_membership", "cluster_profile",
                        "pair_run", "product_pair", "product_basket_count", "offer", "offer_run"]
    public let owns: [String] = []
    public let checks: [TableCheck] = []

    public init() {}

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config
        let until = context.clock.startOfDay(context.asOf + 1)
        let from = config.segment.lookbackDays.map { context.clock.startOfDay(context.asOf - Int64($0) + 1) }
        let (activity, kpis, segments, segmentOf, products, productRows, categoryMonths, warehouseFigures) = try context.warehouse.database.read { db in
            let scored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_rfm") ?? 0
            let known = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") ?? 0
            if scored == 0 && known > 0 {
                throw LoyaltyError.missingPrerequisite(stage: "publish", message: "customer figures are missing: run segment first")
            }
            let (segments, segmentOf) = try SegmentsReport.load(db, rules: config.segment.rules)
            // One pass over the window's order lines feeds the KPIs, cohorts, hours and products.
            let catalog = try ProductKPIs.loadProducts(db)
            var products = ProductKPIs.Accumulator(products: catalog.products.count, segments: segments.count, segmentOf: segmentOf,
                                                   indexOfProduct: catalog.indexOfKey)
            var categoryMonths = CategoryMonths.Accumulator(products: catalog.products, indexOfProduct: catalog.indexOfKey)
            let activity = try OrderActivity.load(db, from: from, until: until, clock: context.clock) { customer, day, amount, lines in
                products.add(customer: customer, amountMinor: amount, lines: lines)
                categoryMonths.add(day: day, amountMinor: amount, lines: lines)
            }
            let productRows = products.finish()
            return (activity, try KPISummary.load(db, context: context, activity: activity), segments, segmentOf, catalog.products, productRows,
                    categoryMonths, try ReportData.load(db, asOf: context.settings.asOfText, bins: config.segment.bins))
        }
        context.phaseDone("read the figures of \(kpis.customers) customers and \(kpis.orders) orders")
        try context.outputs.write("kpi_summary.json", text: kpis.json, rows: 1)
        try SegmentsReport.write(segments, rules: config.segment.rules, actions: config.publish.segmentActions, to: context.outputs)
        let cohorts = CohortRetention.cells(activity.customerOrders, asOf: context.asOf)
        try CohortRetention.write(cohorts, to: context.outputs)
        let names = segments.map(\.segment)
        try ContactHours.write(ContactHours.grid(activity.customerOrders, segments: names, segmentOf: segmentOf), segments: names, to: context.outputs)
        try ProductKPIs.write(productRows, products: products, segments: names, to: context.outputs)
        try categoryMonths.write(to: context.outputs)
        var report = warehouseFigures
        report.kpis = kpis
        report.segments = segments
        report.cohorts = cohorts
        report.monthTotals = categoryMonths.totalRevenue().map { ReportData.MonthRevenue(category: nil, month: $0.month, revenueMinor: $0.revenueMinor) }
        report.categoryMonths = categoryMonths.categoryRevenue().map {
            ReportData.MonthRevenue(category: $0.category, month: $0.month, revenueMinor: $0.revenueMinor)
        }
        report.pairsMinCount = config.pairs.minCount
        try context.outputs.write("report.html", text: ReportPage.html(report), rows: 0)
        let lists = try SegmentLists.write(context.warehouse, fields: config.publish.listFields, to: context.outputs)
        return StageReport(rowsWritten: 1 + segments.count + cohorts.count + products.count + lists, summary: [
            "\(kpis.customers) customers, \(kpis.buyers) buyers, \(kpis.activeCustomers) active; revenue \(Money.format(kpis.revenueMinor)) in \(kpis.orders) orders",
        ])
    }
}
