/// Publish: the reports marketers and BI tools read every morning, from what the earlier stages
/// left in the warehouse. Its only tables keep what each night's offers achieved, measured once
/// their attribution window has closed.
public struct PublishStage: Stage {
    public let name = "publish"
    public let reads = ["customer", "customer_rfm", "segment_membership", "cluster_profile", "product", "category", "category_ancestor",
                        "agg_total", "agg_customer_month", "agg_customer_hour", "agg_product", "agg_customer_product", "agg_product_month",
                        "agg_category_month", "agg_order", "order_line", "pair_run", "product_pair", "product_basket_count", "offer", "offer_run", "offer_event",
                        "suppression", "backtest_run", "backtest_result"]
    public let owns = ["offer_outcome_run", "offer_outcome"]
    public let checks: [TableCheck] = []

    public init() {}

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config
        try context.maintainAggregates()
        let until = context.figuresWindow.until
        // The figures take one connection; another measures the nights whose attribution window
        // has just closed, reads what only the HTML report draws and writes the mailing lists.
        let publish = config.publish
        let asideClock = context.clock.copy()
        let aside = try ConcurrentRead(context.warehouse) { db in
            let catalog = try OfferOutcomes.Catalog(db, marginRate: config.offers.marginRate)
            let measured = try OfferOutcomes.pending(db, asOf: context.asOf, windowDays: publish.attributionDays, horizonDays: publish.effectivenessDays)
                .map { try OfferOutcomes.measure(db, run: $0, windowDays: publish.attributionDays, clock: asideClock, catalog: catalog) }
            let reportData = try ReportData.load(db, asOf: context.settings.asOfText, bins: config.segment.bins, channels: config.channels.map(\.name))
            let suppressions = try SuppressionList.load(db, asOf: context.settings.asOfText, unsubscribedBefore: until, clock: asideClock,
                                                        channels: config.channels, phoneRules: config.ingest.phoneRules)
            let lists = try SegmentLists.write(db, fields: publish.listFields, channels: config.channels, suppressions: suppressions,
                                               to: context.outputs)
            return (measured, reportData, lists)
        }
        let figures: Figures
        do {
            figures = try readFigures(context)
        } catch {
            aside.cancel()
            throw error
        }
        let (measured, reportData, lists) = try aside.result()
        let kpis = figures.kpis
        context.phaseDone("read the figures of \(kpis.customers) customers and \(kpis.orders) orders")
        if !measured.isEmpty {
            try context.write { db in for outcome in measured { try outcome.save(db) } }
            context.phaseDone("measured the offers of \(measured.map(\.run.asOf).joined(separator: ", ")) over \(publish.attributionDays) days")
        }
        let effectiveness = try context.warehouse.database.read { db in
            try EffectivenessReport.load(db, asOf: context.asOf, windowDays: publish.attributionDays, horizonDays: publish.effectivenessDays,
                                         segmentOrder: figures.segments.map(\.segment))
        }
        let warnings = effectiveness.warnings(config: publish)
        for warning in warnings { context.logger.warning("publish: \(warning)") }
        try context.outputs.write("kpi_summary.json", text: kpis.json, rows: 1)
        try SegmentsReport.write(figures.segments, rules: config.segment.rules, actions: publish.segmentActions, to: context.outputs)
        let cohorts = CohortRetention.cells(customerMonths: figures.sales.customerMonths, asOf: context.asOf)
        try CohortRetention.write(cohorts, to: context.outputs)
        let names = figures.segments.map(\.segment)
        let hours = ContactHours.grid(figures.sales.customerHours, segments: names, segmentOf: figures.segmentOf)
        try ContactHours.write(hours, segments: names, to: context.outputs)
        try ProductKPIs.write(figures.productRows, products: figures.products, segments: names, to: context.outputs)
        try figures.categoryMonths.write(to: context.outputs)
        try effectiveness.write(to: context.outputs, config: publish)
        let report = Self.page(reportData, figures: figures, cohorts: cohorts, effectiveness: effectiveness, warnings: warnings,
                               pairsMinCount: config.pairs.minCount)
        try context.outputs.write("report.html", text: ReportPage.html(report), rows: 0)
        let rows = 1 + figures.segments.count + cohorts.count + figures.products.count + lists + effectiveness.rows.count
        return StageReport(rowsWritten: rows, summary: [
            "\(kpis.customers) customers, \(kpis.buyers) buyers, \(kpis.activeCustomers) active; revenue \(Money.format(kpis.revenueMinor)) in \(kpis.orders) orders",
            "offer effectiveness: \(effectiveness.checks.count) night(s) measured over \(publish.attributionDays) days, \(effectiveness.rows.count) type × segment rows",
        ] + warnings.map { "warning: \($0)" })
    }

    /// report.html's data: what was read for it alone, and the other reports' figures.
    private static func page(_ warehouseData: ReportData, figures: Figures, cohorts: [CohortRetention.Cell], effectiveness: EffectivenessReport,
                             warnings: [String], pairsMinCount: Int) -> ReportData {
        var report = warehouseData
        report.kpis = figures.kpis
        report.segments = figures.segments
        report.rf = figures.recencyFrequency
        report.value = figures.value
        report.cohorts = cohorts
        report.monthTotals = figures.categoryMonths.totalRevenue().map {
            ReportData.MonthRevenue(category: nil, month: $0.month, revenueMinor: $0.revenueMinor)
        }
        report.categoryMonths = figures.categoryMonths.categoryRevenue().map {
            ReportData.MonthRevenue(category: $0.category, month: $0.month, revenueMinor: $0.revenueMinor)
        }
        report.pairsMinCount = pairsMinCount
        // The chart draws the cells with both sides; the others are only in effectiveness.csv.
        report.effects = effectiveness.rows.compactMap { row in
            guard let uplift = row.upliftOffered else { return nil }
            return ReportData.Effect(offerType: row.offerType, segment: row.segment, treated: row.treated.units, control: row.control.units,
                                     uplift: uplift.estimate, low: uplift.low, high: uplift.high)
        }
        report.effectsWithoutControl = effectiveness.rows.count - report.effects.count
        report.effectWarnings = warnings
        return report
    }

    /// What one read of the warehouse gives the reports.
    private struct Figures {
        let sales: SalesAggregates
        let kpis: KPISummary
        let segments: [SegmentsReport.Row]
        /// Each customer key's segment, an index into `segments` (−1: none).
        let segmentOf: [Int16]
        let products: [ProductKPIs.Product]
        let productRows: [ProductKPIs.Row]
        let categoryMonths: CategoryMonths
        let recencyFrequency: [ReportData.RFCell]
        let value: [ReportData.ValueCell]
    }

    private func readFigures(_ context: StageContext) throws -> Figures {
        let config = context.config
        var kpis = KPISummary(context: context)
        var recencyFrequency = ReportData.RecencyFrequency()
        var value = ReportData.ValueGrid()
        return try context.warehouse.database.read { db in
            let scored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_rfm") ?? 0
            let known = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") ?? 0
            if scored == 0 && known > 0 {
                throw LoyaltyError.missingPrerequisite(stage: "publish", message: "customer figures are missing: run segment first")
            }
            let (segments, segmentOf) = try SegmentsReport.load(db, rules: config.segment.rules) { customer in
                kpis.addCustomer(customer)
                recencyFrequency.add(customer)
                value.add(customer)
            }
            let catalog = try ProductKPIs.loadProducts(db)
            let sales = try SalesAggregates.load(db)
            kpis.addSales(sales)
            let productRows = try ProductKPIs.rows(db, products: catalog.products.count, indexOfKey: catalog.indexOfKey, segments: segments.count,
                                                   segmentOf: segmentOf)
            return Figures(sales: sales, kpis: kpis, segments: segments, segmentOf: segmentOf, products: catalog.products,
                           productRows: productRows, categoryMonths: try CategoryMonths.load(db), recencyFrequency: recencyFrequency.sorted,
                           value: value.sorted)
        }
    }
}
