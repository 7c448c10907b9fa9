import Foundation
import Testing
@testable import LoyaltyKit

/// The aggregation layer's promise: a warehouse fed night by night holds the same aggregates,
/// and gives the same figures, as a fresh warehouse that loads the same deliveries at once.
@Suite struct AggregateMaintenanceTests {
    /// A random retailer's deliveries: each night new orders, and now and then late orders (dated
    /// days back), corrected re-deliveries, returns, an order moved to another customer, an
    /// anonymous order, a product moved to another category, and a night with no delivery at all.
    struct History {
        struct Line { var product: Int; var quantity: Int; var priceCents: Int }
        struct Order { var customer: Int?; var day: Int; var hour: Int; var lines: [Line] }

        var orders: [String: Order] = [:]
        /// Per night, the order ids delivered (in file order), or nil for no delivery.
        var nights: [[String]?] = []
        /// Each night's delivery as it was sent (an order may change in later nights).
        var deliveries: [[(String, Order)]?] = []

        init(seed: UInt64, nights count: Int) {
            var random = SplitMix64(seed: seed)
            func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
            func newOrder(day: Int) -> Order {
                var lines = (0...pick(3)).map { _ in
                    Line(product: pick(8), quantity: pick(10) == 0 ? -1 : 1 + pick(3), priceCents: 100 * (1 + pick(20)) + pick(100))
                }
                // A purchase returned in its own order: net 0, a basket but not a paid order.
                if pick(8) == 0 {
                    lines = [lines[0], Line(product: (lines[0].product + 1) % 8, quantity: -lines[0].quantity, priceCents: lines[0].priceCents)]
                }
                return Order(customer: pick(6) == 0 ? nil : pick(10), day: day, hour: pick(24), lines: lines)
            }
            var serial = 0
            for night in 0..<count {
                if night == count / 2 {
                    deliveries.append(nil)
                    continue
                }
                var sent: [(String, Order)] = []
                for _ in 0...(1 + pick(4)) {
                    serial += 1
                    let id = "O\(serial)"
                    orders[id] = newOrder(day: night)
                    sent.append((id, orders[id]!))
                }
                if pick(2) == 0 {
                    serial += 1
                    let id = "O\(serial)"
                    orders[id] = newOrder(day: max(0, night - 1 - pick(6)))
                    sent.append((id, orders[id]!))
                }
                let earlier = orders.keys.filter { id in !sent.contains { $0.0 == id } }.sorted()
                if !earlier.isEmpty {
                    for change in 0..<3 where pick(2) == 0 {
                        let id = earlier[pick(earlier.count)]
                        guard !sent.contains(where: { $0.0 == id }) else { continue }
                        var order = orders[id]!
                        switch change {
                        case 0: order.lines[pick(order.lines.count)].quantity = 1 + pick(5)
                        case 1: order.lines.append(Line(product: pick(8), quantity: -1, priceCents: 250))
                        default: order.customer = pick(4) == 0 ? nil : pick(10)
                        }
                        orders[id] = order
                        sent.append((id, order))
                    }
                }
                deliveries.append(sent)
            }
        }

        static let firstDay = CivilDate.days(year: 2026, month: 3, day: 1)

        static func asOf(night: Int) -> String { CivilDate.format(firstDay + Int64(night)) }

        /// Writes night `night`'s delivery (with the catalog) into `folder`.
        func write(night: Int, to folder: String) throws {
            try LoyaltyKitTests.write("category_id,parent_id,name\nFOOD,,Food\nHOME,,Home\n", to: folder + "/categories.csv")
            var products = "product_id,name,category_id,price\n"
            // From night 8 product 7 moves to another category: category figures of every month change.
            for product in 0..<8 {
                let home = product % 3 == 0 || (product == 7 && night >= 8)
                products += "P\(product),Product \(product),\(home ? "HOME" : "FOOD"),\(product + 1).00\n"
            }
            try LoyaltyKitTests.write(products, to: folder + "/products.csv")
            var customers = "customer_id,email,consent_email\n"
            for customer in 0..<10 { customers += "C\(customer),c\(customer)@example.com,true\n" }
            try LoyaltyKitTests.write(customers, to: folder + "/customers.csv")
            var rows = "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n"
            for (id, order) in deliveries[night] ?? [] {
                let at = CivilDate.format(Self.firstDay + Int64(order.day)) + " \(order.hour < 10 ? "0" : "")\(order.hour):30:00"
                for line in order.lines {
                    rows += "\(id),\(order.customer.map { "C\($0)" } ?? ""),\(at),P\(line.product),\(line.quantity),"
                        + "\(line.priceCents / 100).\(line.priceCents % 100 < 10 ? "0" : "")\(line.priceCents % 100)\n"
                }
            }
            try LoyaltyKitTests.write(rows, to: folder + "/transactions.csv")
        }
    }

    static let aggregateTables: [(String, String)] = AggregateDefinitions.tables.map { table in
        (table.name, table.columns.prefix(table.keyColumns).joined(separator: ", "))
    }

    /// The stages whose outputs depend only on the data (not on earlier runs' decisions), and their files.
    static let figureStages = ["enrich", "segment", "pairs"]
    static let figureFiles = ["product_facts.csv", "category_seasonality.csv", "customers_rfm.csv", "segments.csv", "clusters.csv",
                              "product_pairs.csv", "category_pairs.csv", "product_partners.csv", "customer_value.csv", "value_model.json"]

    static func pipeline(root: String, lookbackDays: Int?) throws -> String {
        let path = root + "/pipeline.yml"
        try write("""
            timezone: Europe/Berlin
            pairs:
              min_count: 1
            segment:
              k: 2
              lookback_days: \(lookbackDays.map(String.init) ?? "null")
            """, to: path)
        return path
    }

    func check(seed: UInt64, lookbackDays: Int?) throws {
        let history = History(seed: seed, nights: 12)
        let nightly = try temporaryFolder("nightly\(seed)")
        let pipeline = try Self.pipeline(root: nightly, lookbackDays: lookbackDays)
        for night in history.deliveries.indices {
            let asOf = History.asOf(night: night)
            if history.deliveries[night] != nil {
                let folder = nightly + "/in/\(night)"
                try history.write(night: night, to: folder)
                try runPipeline(input: folder, root: nightly, asOf: asOf, pipeline: pipeline, selection: .only("ingest"))
            }
            for stage in Self.figureStages {
                try runPipeline(input: nightly, root: nightly, asOf: asOf, pipeline: pipeline, selection: .only(stage))
            }
            let warehouse = try Warehouse(path: nightly + "/warehouse.sqlite")
            let verified = try #require(try AggregateVerification.run(warehouse))
            #expect(verified.differences == [], "seed \(seed), night \(night)")
        }

        let lastAsOf = History.asOf(night: history.deliveries.count - 1)
        let atOnce = try temporaryFolder("atonce\(seed)")
        for night in history.deliveries.indices where history.deliveries[night] != nil {
            let folder = atOnce + "/in/\(night)"
            try history.write(night: night, to: folder)
            try runPipeline(input: folder, root: atOnce, asOf: lastAsOf, pipeline: pipeline, selection: .only("ingest"))
        }
        for stage in Self.figureStages {
            try runPipeline(input: atOnce, root: atOnce, asOf: lastAsOf, pipeline: pipeline, selection: .only(stage))
        }

        let fed = try Warehouse(path: nightly + "/warehouse.sqlite"), fresh = try Warehouse(path: atOnce + "/warehouse.sqlite")
        #expect(try scalar(fed, "SELECT COUNT(*) FROM order_line") > 20)
        #expect(try scalar(fed, "SELECT COUNT(*) FROM agg_product_pair") > 0)
        for (table, key) in Self.aggregateTables {
            #expect(try tableDigest(fed, table, orderBy: key) == tableDigest(fresh, table, orderBy: key), "seed \(seed): \(table)")
        }
        for file in Self.figureFiles {
            let a = try String(contentsOfFile: nightly + "/out/\(file)", encoding: .utf8)
            let b = try String(contentsOfFile: atOnce + "/out/\(file)", encoding: .utf8)
            #expect(a == b, "seed \(seed): \(file)")
            #expect(a.split(separator: "\n").count > 1, "seed \(seed): \(file) has rows")
        }
        let window = try AggregateMaintenance.stateWindow(fed)
        // Offers depend on earlier nights' offers (cool-down, caps): compared on a night both
        // warehouses make their first offers.
        for root in [nightly, atOnce] {
            try runPipeline(input: root, root: root, asOf: lastAsOf, pipeline: pipeline, selection: .only("offers"))
            try runPipeline(input: root, root: root, asOf: lastAsOf, pipeline: pipeline, selection: .only("publish"))
        }
        // The reports that do not draw on earlier nights (report.html shows segment moves).
        for file in ["kpi_summary.json", "segments_report.csv", "product_kpis.csv", "product_segments.csv", "category_month.csv",
                     "cohort_retention.csv", "contact_hours.csv"] {
            let a = try String(contentsOfFile: nightly + "/out/\(file)", encoding: .utf8)
            #expect(a == (try String(contentsOfFile: atOnce + "/out/\(file)", encoding: .utf8)), "seed \(seed): \(file)")
            #expect(a.split(separator: "\n").count > 1, "seed \(seed): \(file) has rows")
        }
        let offersA = try String(contentsOfFile: nightly + "/out/offers.csv", encoding: .utf8)
        #expect(offersA == (try String(contentsOfFile: atOnce + "/out/offers.csv", encoding: .utf8)), "seed \(seed): offers.csv")
        #expect(offersA.split(separator: "\n").count > 1, "seed \(seed): offers.csv has rows")
        let rebuilt = try AggregateMaintenance(window: try #require(window), timezone: "Europe/Berlin").rebuild(fed)
        #expect(rebuilt.rebuilt)
        for (table, key) in Self.aggregateTables {
            #expect(try tableDigest(fed, table, orderBy: key) == tableDigest(fresh, table, orderBy: key), "seed \(seed): rebuilt \(table)")
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func slidingWindowNightByNightEqualsAllAtOnce(seed: UInt64) throws {
        try check(seed: seed, lookbackDays: 5)
    }

    @Test func allHistoryNightByNightEqualsAllAtOnce() throws {
        try check(seed: 7, lookbackDays: nil)
    }

    /// Hand-worked: two orders of one customer on one Berlin day (one a return), an anonymous
    /// basket of two products, and a late line added to the first order in a second delivery.
    @Test func handWorkedFigures() throws {
        let root = try temporaryFolder()
        let pipeline = try Self.pipeline(root: root, lookbackDays: nil)
        try write("product_id,name,price\nA,Apple,1.00\nB,Bread,2.00\n", to: root + "/in1/products.csv")
        try write("""
            order_id,customer_id,ordered_at,product_id,quantity,unit_price
            O1,C1,2026-03-01 23:30:00+00:00,A,2,1.00
            O2,C1,2026-03-02 08:00:00+01:00,B,-1,2.00
            O3,,2026-03-02 10:00:00,A,1,1.00
            O3,,2026-03-02 10:00:00,B,1,2.00
            """, to: root + "/in1/transactions.csv")
        try runPipeline(input: root + "/in1", root: root, asOf: "2026-03-02", pipeline: pipeline, selection: .only("ingest"))
        try write("""
            order_id,customer_id,ordered_at,product_id,quantity,unit_price
            O1,C1,2026-03-01 23:30:00+00:00,A,2,1.00
            O1,C1,2026-03-01 23:30:00+00:00,B,1,2.00
            """, to: root + "/in2/transactions.csv")
        try runPipeline(input: root + "/in2", root: root, asOf: "2026-03-02", pipeline: pipeline, selection: .only("ingest"))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        // 23:30 UTC on 1 March is 00:30 on 2 March in Berlin: both of C1's orders fall on one day.
        let day = CivilDate.days(year: 2026, month: 3, day: 2)
        #expect(try scalar(warehouse, "SELECT COUNT(DISTINCT day) FROM agg_order") == 1)
        #expect(try scalar(warehouse, "SELECT MIN(day) FROM agg_order") == Int(day))
        // C1: O1 (A 2 × 1.00 + B 1 × 2.00 = 4.00) is a purchase, O2 (−2.00) a return: monetary 2.00.
        #expect(try scalar(warehouse, "SELECT orders FROM agg_customer") == 1)
        #expect(try scalar(warehouse, "SELECT net_minor FROM agg_customer") == 20_000)
        #expect(try scalar(warehouse, "SELECT active_days FROM agg_customer") == 1)
        // Baskets: O1 {A, B}, O3 {A, B}; O2 holds only a return.
        #expect(try scalar(warehouse, "SELECT baskets FROM agg_total") == 2)
        #expect(try scalar(warehouse, "SELECT orders FROM agg_product_pair") == 2)
        #expect(try scalar(warehouse, "SELECT orders FROM agg_product WHERE product_key = (SELECT product_key FROM product WHERE product_id = 'B')") == 2)
        // B: 1 (O1) − 1 (O2) + 1 (O3) units; 2.00 − 2.00 + 2.00 revenue; C1 bought it once.
        #expect(try scalar(warehouse, "SELECT units FROM agg_product WHERE product_key = (SELECT product_key FROM product WHERE product_id = 'B')") == 1)
        #expect(try scalar(warehouse, "SELECT revenue_minor FROM agg_product WHERE product_key = (SELECT product_key FROM product WHERE product_id = 'B')") == 20_000)
        #expect(try scalar(warehouse, "SELECT buyers FROM agg_product WHERE product_key = (SELECT product_key FROM product WHERE product_id = 'B')") == 1)
        #expect(try scalar(warehouse, "SELECT revenue_minor FROM agg_total") == 50_000)
        #expect(try AggregateVerification.run(warehouse)?.differences == [])
    }
}
