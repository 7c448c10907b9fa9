import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

@Suite struct IngestStageTests {
    let contract = fixture("cases/contract")

    /// The rejects of `fixtures/cases/contract`, worked out by reading the files: (file, line) → reason kind.
    let expectedRejects: [String: String] = [
        "categories.csv:6": "category cycle", "categories.csv:7": "category cycle",
        "categories.csv:8": "unknown parent", "categories.csv:9": "unknown parent",
        "categories.csv:10": "duplicate key",
        "products.csv:7": "invalid price", "products.csv:8": "unknown category", "products.csv:9": "duplicate key",
        "product_attributes.csv:6": "unknown product", "product_attributes.csv:7": "duplicate key",
        "customers.csv:4": "invalid birth_date", "customers.csv:5": "invalid consent_email", "customers.csv:6": "duplicate key",
        "transactions.csv:9": "unknown product", "transactions.csv:10": "invalid quantity",
        "transactions.csv:11": "invalid ordered_at", "transactions.csv:12": "missing required field",
        "transactions.csv:13": "invalid unit_price", "transactions.csv:14": "wrong number of fields",
        "transactions.csv:16": "invalid quantity", "transactions.csv:17": "inconsistent order",
        "offer_events.csv:4": "unknown customer", "offer_events.csv:5": "invalid event", "offer_events.csv:6": "duplicate key",
    ]

    @Test func contractCaseLoadsGoodRowsAndRejectsEachBadOneWithItsReason() throws {
        let root = try temporaryFolder()
        let result = try runPipeline(input: contract, root: root)
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")

        // Every bad row is in rejects.csv with its line and reason kind, and nothing else is.
        let rejects = try readCSV(root + "/out/rejects.csv")
        #expect(rejects[0] == ["file", "line", "reason", "raw"])
        var found: [String: String] = [:]
        for row in rejects.dropFirst() { found["\(row[0]):\(row[1])"] = row[2] }
        #expect(Set(found.keys) == Set(expectedRejects.keys))
        for (place, kind) in expectedRejects {
            #expect(found[place]?.hasPrefix(kind) == true, "\(place): \(found[place] ?? "missing")")
        }
        #expect(try warehouse.count("reject") == expectedRejects.count)

        // The good rows are loaded.
        #expect(try warehouse.count("category") == 4)
        #expect(try warehouse.count("product") == 4)
        #expect(try warehouse.count("product_attribute") == 4)
        #expect(try warehouse.count("customer") == 4) // C1, C2, C5 and C9 known only from an order
        #expect(try scalar(warehouse, "SELECT registered FROM customer WHERE customer_id = 'C9'") == 0)
        #expect(try warehouse.count("sales_order") == 6)
        #expect(try warehouse.count("order_line") == 8)
        #expect(try warehouse.count("offer_event") == 2)
        let loaded = result.stages[0].report.inputs.reduce(0) { $0 + $1.rowsLoaded }
        #expect(loaded == 4 + 4 + 4 + 3 + 8 + 2)
    }

    @Test func amountsAreExactAndReturnsAndAnonymousOrdersLoad() throws {
        let root = try temporaryFolder()
        try runPipeline(input: contract, root: root)
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let lines = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.order_id, p.product_id, l.line_no, c.customer_id, l.quantity, l.amount_minor, l.discount_minor, l.ordered_at
                FROM order_line l JOIN sales_order o USING (order_key) JOIN product p USING (product_key)
                LEFT JOIN customer c ON c.customer_key = l.customer_key ORDER BY o.order_id, l.line_no
                """)
        }
        let byKey = Dictionary(uniqueKeysWithValues: lines.map { ("\($0[0] as String)/\($0[1] as String)", $0) })
        // 2 × 1.99 = 3.98; 1 × 2.49 − 0.49 = 2.00
        #expect(byKey["O1/P1"]?[5] == 39_800 as Int64)
        #expect(byKey["O1/P2"]?[5] == 20_000 as Int64)
        #expect(byKey["O1/P2"]?[6] == 4_900 as Int64)
        #expect(byKey["O1/P2"]?[2] == 2 as Int64)
        // A return is a negative quantity and a negative amount.
        #expect(byKey["O4/P1"]?[4] == -1 as Int64)
        #expect(byKey["O4/P1"]?[5] == -19_900 as Int64)
        // Anonymous: no customer.
        #expect((byKey["O3/P1"]?[3] as String?) == nil)
        // 2026-11-03T09:15:00+02:00 is 07:15 UTC; "2026-11-02 18:30:00" has no zone, so UTC.
        let nov3 = CivilDate.days(year: 2026, month: 11, day: 3) * 86_400
        #expect(byKey["O3/P1"]?[7] == nov3 + 7 * 3600 + 15 * 60)
        let nov2 = CivilDate.days(year: 2026, month: 11, day: 2) * 86_400
        #expect(byKey["O2/P3"]?[7] == nov2 + 18 * 3600 + 30 * 60)
    }

    static let dataTables = [
        ("category", "category_key"), ("product", "product_key"), ("product_attribute", "product_key, attribute, value"),
        ("customer", "customer_key"), ("sales_order", "order_key"), ("order_line", "order_key, product_key, line_no"),
        ("offer_event", "offer_id, customer_key, event, at"),
    ]

    @Test func reloadingTheSameDeliveryChangesNothing() throws {
        let root = try temporaryFolder()
        try runPipeline(input: contract, root: root)
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let before = try Self.dataTables.map { try tableDigest(warehouse, $0.0, orderBy: $0.1) }
        let counts = try Self.dataTables.map { try warehouse.count($0.0) }
        try runPipeline(input: contract, root: root)
        #expect(try Self.dataTables.map { try tableDigest(warehouse, $0.0, orderBy: $0.1) } == before)
        #expect(try Self.dataTables.map { try warehouse.count($0.0) } == counts)
        // The ledger records both loads with the same checksums.
        #expect(try scalar(warehouse, "SELECT COUNT(DISTINCT checksum_sha256) FROM load") == 6)
        #expect(try warehouse.count("load") == 12)
    }

    @Test func laterDeliveriesUpsertCatalogAndCustomersKeepingKeys() throws {
        let root = try temporaryFolder()
        try runPipeline(input: contract, root: root)
        let next = root + "/next"
        try write("customer_id,email,consent_sms\nC1,new@example.com,yes\nC7,seven@example.com,no\n", to: next + "/customers.csv")
        try write("product_id,name,price\nP1,Spaghetti 1kg,3.49\n", to: next + "/products.csv")
        try write("product_id,attribute,value\nP1,tag,bio\n", to: next + "/product_attributes.csv")
        try runPipeline(input: next, root: root, asOf: "2026-11-22")
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        try warehouse.database.read { db in
            let c1 = try #require(try Row.fetchOne(db, sql: "SELECT customer_key, email, consent_sms, first_name FROM customer WHERE customer_id = 'C1'"))
            #expect(c1[0] == 1 as Int64)
            #expect(c1[1] == "new@example.com")
            #expect(c1[2] == 1 as Int64)
            #expect((c1[3] as String?) == nil) // latest delivery wins, absent fields included
            #expect(try Int.fetchOne(db, sql: "SELECT price_minor FROM product WHERE product_id = 'P1'") == 34_900)
            #expect(try Int.fetchOne(db, sql: "SELECT product_key FROM product WHERE product_id = 'P1'") == 1)
            // P1's attribute set is replaced; P2's untouched.
            #expect(try String.fetchAll(db, sql: "SELECT value FROM product_attribute WHERE product_key = 1") == ["bio"])
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product_attribute WHERE product_key = 2") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") == 5)
        }
    }

    @Test func jsonLinesAndGzipLoadTheSameRowsAsCSV() throws {
        let root = try temporaryFolder()
        let delivery = root + "/in"
        for name in ["categories.csv", "products.csv"] {
            try FileManager.default.createDirectory(atPath: delivery, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: contract + "/" + name, toPath: delivery + "/" + name)
        }
        try gzip(contract + "/customers.csv", to: delivery + "/customers.csv.gz")
        // O1 nested, O3 flat, O2 nested with a numeric price; one broken line.
        try write("""
            {"order_id":"O1","customer_id":"C1","ordered_at":"2026-11-01T10:00:00Z","store_id":"S1","channel":"store","lines":[{"product_id":"P1","quantity":2,"unit_price":"1.99","bonus_earned":"0.20"},{"product_id":"P2","quantity":1,"unit_price":"2.49","discount":0.49}]}
            {"order_id":"O2","customer_id":"C2","ordered_at":"2026-11-02 18:30:00","channel":"web","lines":[{"product_id":"P3","quantity":1,"unit_price":6.50,"bonus_spent":1}]}
            {"order_id":"O3","ordered_at":"2026-11-03T09:15:00+02:00","product_id":"P1","quantity":3,"unit_price":"1.99","store_id":"S2","channel":"store"}
            {"order_id":"O1","customer_id":"C1","ordered_at":"2026-11-01T10:00:00Z","lines":[{"product_id":"P4","quantity":1,"unit_price":"12"}]}
            {"order_id": broken
            """, to: delivery + "/transactions.jsonl")
        try runPipeline(input: delivery, root: root)
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let lines = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.order_id, p.product_id, l.line_no, l.quantity, l.amount_minor, l.bonus_earned_minor, l.bonus_spent_minor
                FROM order_line l JOIN sales_order o USING (order_key) JOIN product p USING (product_key) ORDER BY 1, 3
                """).map { "\($0[0] as String) \($0[1] as String) #\($0[2] as Int64) q\($0[3] as Int64) a\($0[4] as Int64) e\($0[5] as Int64? ?? -1) s\($0[6] as Int64? ?? -1)" }
        }
        #expect(lines == [
            "O1 P1 #1 q2 a39800 e2000 s-1", "O1 P2 #2 q1 a20000 e-1 s-1",
            "O2 P3 #1 q1 a65000 e-1 s10000", "O3 P1 #1 q3 a59700 e-1 s-1",
        ])
        #expect(try warehouse.count("customer") == 3)
        let rejects = try readCSV(root + "/out/rejects.csv").dropFirst().map { "\($0[0]):\($0[1]) \($0[2].prefix(14))" }
        #expect(rejects.contains("transactions.jsonl:4 duplicate key:"))
        #expect(rejects.contains("transactions.jsonl:5 invalid JSON a"))
        #expect(rejects.contains { $0.hasPrefix("customers.csv.gz:4") })
    }

    @Test func aTruncatedFileFailsTheStageAndLeavesNothingOfItself() throws {
        let root = try temporaryFolder()
        // A first good run leaves outputs that a failed run must not replace.
        try runPipeline(input: contract, root: root)
        let rejectsBefore = try String(contentsOfFile: root + "/out/rejects.csv", encoding: .utf8)
        let filesBefore = try FileManager.default.contentsOfDirectory(atPath: root + "/out").sorted()
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let linesBefore = try warehouse.count("order_line")

        let delivery = root + "/bad"
        try write("category_id,name\nNEW,New category\n", to: delivery + "/categories.csv")
        try gzip(contract + "/transactions.csv", to: root + "/whole.gz")
        var compressed = try Data(contentsOf: URL(fileURLWithPath: root + "/whole.gz"))
        compressed.removeLast(12)
        try compressed.write(to: URL(fileURLWithPath: delivery + "/transactions.csv.gz"))
        try write("order_id,ordered_at,product_id,quantity,unit_price\nZ1,2026-11-10,P1,1,1\n", to: root + "/unused.csv")

        #expect(throws: StageFailure.self) { try runPipeline(input: delivery, root: root) }
        do {
            try runPipeline(input: delivery, root: root)
        } catch let failure as StageFailure {
            #expect(failure.stage == "ingest")
            #expect("\(failure)".contains("truncated"))
            #expect("\(failure)".contains("transactions.csv.gz"))
        }
        // The category file before it loaded; nothing of the truncated file did.
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM category WHERE category_id = 'NEW'") == 1)
        #expect(try warehouse.count("order_line") == linesBefore)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM load WHERE path LIKE '%transactions.csv.gz'") == 0)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM run WHERE status = 'failed'") == 2)
        // The previous outputs are untouched and no staging folder is left behind.
        #expect(try String(contentsOfFile: root + "/out/rejects.csv", encoding: .utf8) == rejectsBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/out").sorted() == filesBefore)
        #expect(!filesBefore.contains { $0.hasPrefix(".") })
    }

    @Test func aCorrectedRedeliveryKeepsLinePositionsAndARejectedLineLeavesNoCustomer() throws {
        let root = try temporaryFolder()
        try write("product_id,name,price\nP1,One,1\nP2,Two,2\nP3,Three,3\n", to: root + "/in/products.csv")
        let header = "order_id,customer_id,ordered_at,product_id,quantity,unit_price,channel\n"
        // Line 3 has a stray comma (8 fields), and X's second line names a customer the order does not have.
        try write(header + "A,C1,2026-11-01,P1,1,1,web\nA,C1,2026-11-01,P2,1,2,web,extra\nA,C1,2026-11-01,P3,1,3,web\n"
                  + "X,C1,2026-11-02,P1,1,1,web\nX,C77,2026-11-02,P2,1,2,web\n", to: root + "/in/transactions.csv")
        try runPipeline(input: root + "/in", root: root, selection: .only("ingest"))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM customer WHERE customer_id = 'C77'") == 0)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM order_line WHERE order_key = (SELECT order_key FROM sales_order WHERE order_id = 'A')") == 2)
        // The fixed delivery adds P2 at position 2 and rewrites P3 at position 3: no line twice.
        try write(header + "A,C1,2026-11-01,P1,1,1,web\nA,C1,2026-11-01,P2,1,2,web\nA,C1,2026-11-01,P3,1,3,web\n",
                  to: root + "/in/transactions.csv")
        try runPipeline(input: root + "/in", root: root, selection: .only("ingest"))
        let lines = "SELECT COUNT(*) FROM order_line WHERE order_key = (SELECT order_key FROM sales_order WHERE order_id = 'A')"
        #expect(try scalar(warehouse, lines) == 3)
        #expect(try scalar(warehouse, "SELECT SUM(amount_minor) FROM order_line JOIN sales_order USING (order_key) WHERE order_id = 'A'") == 60_000)
    }

    @Test func timestampsWithoutZoneUseTheConfiguredTimeZone() throws {
        let root = try temporaryFolder()
        try write("timezone: Europe/Berlin\n", to: root + "/berlin.yml")
        try runPipeline(input: contract, root: root, pipeline: root + "/berlin.yml")
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let nov2 = CivilDate.days(year: 2026, month: 11, day: 2) * 86_400
        // 18:30 in Berlin (UTC+1 in November) is 17:30 UTC; explicit zones are unaffected.
        #expect(try scalar(warehouse, "SELECT ordered_at FROM sales_order WHERE order_id = 'O2'") == Int(nov2 + 17 * 3600 + 30 * 60))
        let nov1 = CivilDate.days(year: 2026, month: 11, day: 1) * 86_400
        #expect(try scalar(warehouse, "SELECT ordered_at FROM sales_order WHERE order_id = 'O1'") == Int(nov1 + 10 * 3600))
    }

    @Test func ambiguousOrMissingInputsAreUsageErrors() throws {
        let root = try temporaryFolder()
        try write("customer_id\nC1\n", to: root + "/in/customers.csv")
        try write("{\"customer_id\":\"C1\"}\n", to: root + "/in/customers.jsonl")
        #expect(throws: StageFailure.self) { try runPipeline(input: root + "/in", root: root) }
        do {
            try runPipeline(input: root + "/in", root: root)
        } catch let failure as StageFailure {
            #expect(failure.exitCode == 2)
            #expect("\(failure)".contains("keep one file per input"))
        }
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        #expect(throws: StageFailure.self) { try runPipeline(input: root + "/empty", root: root) }
        #expect(throws: StageFailure.self) { try runPipeline(input: root + "/nope", root: root) }
    }

    @Test func manifestListsInputsWithChecksumsAndOutputsWithRows() throws {
        let root = try temporaryFolder()
        try runPipeline(input: contract, root: root)
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/out/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(manifest["as_of"] as? String == "2026-11-21")
        #expect((manifest["config_digest"] as? String)?.count == 64)
        let inputs = try #require(manifest["inputs"] as? [[String: Any]])
        #expect(inputs.count == 6)
        let transactions = try #require(inputs.first { $0["entity"] as? String == "transactions" })
        #expect(transactions["rows_loaded"] as? Int == 8)
        #expect(transactions["rows_rejected"] as? Int == 8)
        #expect(transactions["checksum_sha256"] as? String == SHA256.hex(try String(contentsOfFile: contract + "/transactions.csv", encoding: .utf8)))
        let outputs = try #require(manifest["outputs"] as? [[String: Any]])
        #expect(outputs.first { $0["file"] as? String == "rejects.csv" }?["rows"] as? Int == expectedRejects.count)
    }

    private func gzip(_ source: String, to target: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c '\(source)' > '\(target)'"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

@Suite struct IngestDemoDeliveryTests {
    /// Loads the generated demo delivery (thousands of lines, so the multi-row inserts and the
    /// reader/writer hand-off are exercised) and checks the warehouse against a direct reading of
    /// the CSV: line count, order count and the exact sum of quantity × unit_price − discount.
    @Test func warehouseMatchesAnIndependentReadingOfTheFile() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("demo"), root: root)
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")

        let text = try String(contentsOfFile: fixture("demo/transactions.csv"), encoding: .utf8)
        var lines = 0
        var orders = Set<String>()
        var total = Decimal(0)
        for row in text.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            // The generator's planted bad rows (docs/inputs.md): skip exactly those.
            guard fields.count == 11, !fields[0].isEmpty, let quantity = Decimal(string: fields[4]), fields[4] != "two",
                  let price = Decimal(string: fields[5]), !fields[5].hasSuffix("3456"),
                  fields[2].hasPrefix("2026-13") == false, fields[3] != "P00122" else { continue }
            let discount = fields[6].isEmpty ? 0 : Decimal(string: fields[6]) ?? 0
            lines += 1
            orders.insert(fields[0])
            total += quantity * price - discount
        }
        #expect(lines == 10_940)
        #expect(try warehouse.count("order_line") == lines)
        #expect(try warehouse.count("sales_order") == orders.count)
        let loadedTotal = try scalar(warehouse, "SELECT SUM(amount_minor) FROM order_line")
        #expect(Decimal(loadedTotal) / 10_000 == total)
        // Every line's amount is its own quantity × unit price − discount.
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM order_line WHERE amount_minor <> quantity * unit_price_minor - discount_minor") == 0)
    }
}
