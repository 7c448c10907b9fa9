/// Publish: the reports marketers and BI tools read every morning, from what the earlier stages
/// left in the warehouse. It writes files only and owns no tables.
public struct PublishStage: Stage {
    public let name = "publish"
    public let reads = ["customer_rfm", "order_line"]
    public let owns: [String] = []
    public let checks: [TableCheck] = []

    public init() {}

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config
        let (kpis, segments) = try context.warehouse.database.read { db in
            let scored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_rfm") ?? 0
            let known = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") ?? 0
            if scored == 0 && known > 0 {
                throw LoyaltyError.missingPrerequisite(stage: "publish", message: "customer figures are missing: run segment first")
            }
            return (try KPISummary.load(db, context: context), try SegmentsReport.load(db, rules: config.segment.rules))
        }
        context.phaseDone("read the figures of \(kpis.customers) customers and \(kpis.orders) orders")
        try context.outputs.write("kpi_summary.json", text: kpis.json, rows: 1)
        try SegmentsReport.write(segments, rules: config.segment.rules, actions: config.publish.segmentActions, to: context.outputs)
        return StageReport(rowsWritten: 1 + segments.count, summary: [
            "\(kpis.customers) customers, \(kpis.buyers) buyers, \(kpis.activeCustomers) active; revenue \(Money.format(kpis.revenueMinor)) in \(kpis.orders) orders",
        ])
    }
}
