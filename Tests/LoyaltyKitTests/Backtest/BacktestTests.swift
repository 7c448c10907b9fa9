import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// `loyalty backtest` on histories where the answer is known.
@Suite struct BacktestTests {
    /// Three customers before 2026-10-01: A bought P1 on three days, B bought P1 with P2 and P1
    /// again, C bought P3. In the 30 days after, A buys 2 × P1 and P3, C buys P2, B buys P4 only
    /// after the horizon. Popularity before the day: P1 5 orders, P2 and P3 one each (catalog order
    /// breaks the tie), P4 none. Every customer has a birthday offer, so all three are in the groups.
    static let history: [String: String] = [
        "categories.csv": "category_id,parent_id,name\nC1,,Food\nC2,,Home\n",
        "products.csv": "product_id,name,category_id,price\nP1,Bread,C1,10.00\nP2,Butter,C1,12.00\nP3,Soap,C2,5.00\nP4,Towel,C2,8.00\n",
        "customers.csv": """
            customer_id,email,first_name,birth_date,signup_date,consent_email
            A,a@example.com,Ann,1990-10-05,2025-01-01,true
            B,b@example.com,Ben,1990-10-06,2025-01-01,true
            C,c@example.com,Cem,1990-10-07,2025-01-01,true
            LATE,late@example.com,Lea,1990-10-07,2026-10-20,true

            """,
        "transactions.csv": """
            order_id,customer_id,ordered_at,product_id,quantity,unit_price
            O1,A,2026-09-01T10:00:00Z,P1,1,10.00
            O2,A,2026-09-10T10:00:00Z,P1,1,10.00
            O3,A,2026-09-20T10:00:00Z,P1,1,10.00
            O4,B,2026-09-05T10:00:00Z,P1,1,10.00
            O4,B,2026-09-05T10:00:00Z,P2,1,12.00
            O5,B,2026-09-15T10:00:00Z,P1,1,10.00
            O6,C,2026-09-12T10:00:00Z,P3,1,5.00
            O7,A,2026-10-05T10:00:00Z,P1,2,10.00
            O7,A,2026-10-05T10:00:00Z,P3,1,5.00
            O8,C,2026-10-10T10:00:00Z,P2,1,12.00
            O9,B,2026-11-15T10:00:00Z,P4,1,8.00
            O10,NEW,2026-10-12T10:00:00Z,P1,1,10.00

            """,
    ]

    static func load(_ files: [String: String], root: String, asOf: String) throws {
        for (name, text) in files { try write(text, to: root + "/in/" + name) }
        try runPipeline(input: root + "/in", root: root, asOf: asOf)
    }

    static func settings(root: String, asOf: String, out: String) throws -> RunSettings {
        try RunSettings.resolve(RunOptions(asOf: asOf, out: out, warehouse: root + "/warehouse.sqlite"))
    }

    @Test func scoresTheListsAgainstWhatWasBought() throws {
        let root = try temporaryFolder()
        try Self.load(Self.history, root: root, asOf: "2026-11-21")
        let settings = try Self.settings(root: root, asOf: "2026-10-01", out: root + "/bt")
        let summary = try Backtest.run(settings: settings, horizonDays: 30, writeLists: true, logger: quietLogger)
        #expect(summary.files.keys.sorted() == ["backtest.csv", "backtest_lists.csv"])

        // The baselines, as worked out above; LATE (signed up after the day) and NEW (first seen
        // in a later order) were nobody on 2026-10-01 and get no lists.
        let lists = try readCSV(root + "/bt/backtest_lists.csv").dropFirst()
        func list(_ customer: String, _ name: String) -> [String] { lists.filter { $0[0] == customer && $0[1] == name }.map { $0[4] } }
        #expect(list("A", "popular") == ["P2", "P3"] && list("B", "popular") == ["P3"] && list("C", "popular") == ["P1", "P2"])
        #expect(list("A", "popular_in_category") == ["P2"] && list("B", "popular_in_category") == [] && list("C", "popular_in_category") == [])
        #expect(list("A", "own_repeats") == ["P1"] && list("B", "own_repeats") == ["P1", "P2"] && list("C", "own_repeats") == ["P3"])
        #expect(Set(lists.map { $0[0] }) == ["A", "B", "C"])

        let rows = try readCSV(root + "/bt/backtest.csv")
        let header = rows[0]
        func row(_ scope: String, _ recommender: String, _ k: Int) throws -> [String: String] {
            let found = try #require(rows.first { $0[2] == scope && $0[3] == "all" && $0[4] == recommender && $0[5] == "\(k)" })
            return Dictionary(uniqueKeysWithValues: zip(header, found))
        }
        // A and C bought (B only after the horizon): 3 customers, 2 buyers.
        let own1 = try row("all", "own_repeats", 1)
        #expect(own1["customers"] == "3" && own1["buyers"] == "2" && own1["horizon_days"] == "30")
        // A's P1 is a hit at rank 1 (2 units, 20.00; margin 30 % without a cost); C's P3 is not.
        #expect(own1["precision"] == "0.5" && own1["recall"] == "0.25" && own1["hit_rate"] == "0.5" && own1["map"] == "0.5")
        #expect(own1["hits"] == "1" && own1["hit_revenue"] == "20.00" && own1["hit_margin"] == "6.00")
        // Popular: A's P3 and C's P2, each at rank 2.
        let popular3 = try row("all", "popular", 3)
        let ndcgA = (1 / log(3.0)) / (1 / log(2.0) + 1 / log(3.0)), ndcgC = (1 / log(3.0)) / (1 / log(2.0))
        #expect(Double(popular3["precision"]!)! == (1.0 / 3 + 1.0 / 3) / 2)
        #expect(popular3["recall"] == "0.75" && popular3["map"] == "0.375" && popular3["hits"] == "2" && popular3["hit_revenue"] == "17.00")
        #expect(abs(Double(popular3["ndcg"]!)! - (ndcgA + ndcgC) / 2) < 1e-15)
        // Three of four active products appear in the first three of someone's popular list.
        #expect(popular3["coverage"] == "0.75")
        // Popular in the favourite category: only A has a list, and it misses.
        let inCategory = try row("all", "popular_in_category", 3)
        #expect(inCategory["precision"] == "0.0" && inCategory["hits"] == "0" && inCategory["coverage"] == "0.25")
        // Birthday offers name no product: their own lists are empty, so no metrics.
        let birthday = try row("birthday", "offers", 1)
        #expect(birthday["customers"] == "3" && birthday["precision"] == "" && birthday["coverage"] == "")

        // The figures are kept for the report.
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try scalar(warehouse, "SELECT buyers FROM backtest_run WHERE as_of = '2026-10-01' AND horizon_days = 30") == 2)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM backtest_result") == rows.count - 1)
        // The working copy is gone, and the warehouse's own figures still say 2026-11-21.
        #expect(!FileManager.default.fileExists(atPath: root + "/warehouse.sqlite.backtest"))
        #expect(try warehouse.database.read { db in try String.fetchOne(db, sql: "SELECT MAX(as_of) FROM customer_rfm") } == "2026-11-21")

        // The report shows it once its horizon has ended (2026-10-31; a report of a day inside
        // it would show purchases it has not seen), with the groups whose offers name products,
        // as backtest.csv has them.
        let shown = try #require(try warehouse.database.read { db in try ReportBacktest.load(db, asOf: "2026-11-21") })
        #expect(shown.asOf == "2026-10-01" && shown.horizonDays == 30 && shown.buyers == 2 && shown.customersWithOffers == 3)
        #expect(shown.cutShort == nil)
        #expect(try warehouse.database.read { db in try ReportBacktest.load(db, asOf: "2026-10-31") } == shown)
        #expect(try warehouse.database.read { db in try ReportBacktest.load(db, asOf: "2026-10-30") } == nil)
        #expect(!shown.groups.isEmpty)
        let withProducts = rows.dropFirst().filter { $0[3] == "all" && $0[4] == "offers" && $0[5] == "3" && !$0[8].isEmpty }
        #expect(shown.groups.map(\.scope) == withProducts.map { $0[2] })
        for group in shown.groups {
            let own = try row(group.scope, "own_repeats", 3), offers = try row(group.scope, "offers", 3)
            #expect(group.precision[.ownRepeats] == Double(own["precision"]!) && "\(group.offerHits)" == offers["hits"])
        }
    }

    @Test func aDayWithoutLaterPurchasesIsAUsageError() throws {
        let root = try temporaryFolder()
        try Self.load(Self.history, root: root, asOf: "2026-11-21")
        let settings = try Self.settings(root: root, asOf: "2026-11-20", out: root + "/bt")
        #expect(throws: LoyaltyError.self) { try Backtest.run(settings: settings, horizonDays: 30, writeLists: false, logger: quietLogger) }
        #expect(!FileManager.default.fileExists(atPath: root + "/bt/backtest.csv"))
    }

    /// No peeking: the demo's full history with a later night run on it, and a warehouse loaded
    /// only with what was known on the day, give the same offers and lists. Anything read from
    /// after the day (an order, a later night's segments, offers or partners, a later customer)
    /// would make them differ.
    @Test func nothingAfterTheDayIsRead() throws {
        let day = "2026-10-22"
        let full = try temporaryFolder("full"), known = try temporaryFolder("known")
        let input = known + "/in"
        for name in ["categories.csv", "products.csv", "product_attributes.csv", "suppressions.csv"] {
            try write(try String(contentsOfFile: fixture("demo/" + name), encoding: .utf8), to: input + "/" + name)
            try write(try String(contentsOfFile: fixture("demo/" + name), encoding: .utf8), to: full + "/in/" + name)
        }
        // The full history also holds a customer who signed up after the day (and would get a welcome offer).
        try write(try String(contentsOfFile: fixture("demo/transactions.csv"), encoding: .utf8), to: full + "/in/transactions.csv")
        try write(try String(contentsOfFile: fixture("demo/customers.csv"), encoding: .utf8)
                    + "C999999,late@example.com,,Lea,1990-10-25,Berlin,Berlin,2026-11-01,true,true,true\n", to: full + "/in/customers.csv")
        try runPipeline(input: full + "/in", root: full, asOf: "2026-11-21", pipeline: packageRoot + "/pipelines/demo.yml")
        let transactions = try String(contentsOfFile: fixture("demo/transactions.csv"), encoding: .utf8).split(separator: "\n")
        let kept = [transactions[0]] + transactions.dropFirst().filter { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return fields.count > 2 && fields[2].prefix(10) <= day
        }
        try write(kept.joined(separator: "\n") + "\n", to: input + "/transactions.csv")
        let buyers = Set(kept.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[1] })
        // Customers known on the day: signed up by then, or named by an order before it.
        let customers = try String(contentsOfFile: fixture("demo/customers.csv"), encoding: .utf8).split(separator: "\n")
        let signedUp = [customers[0]] + customers.dropFirst().filter { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let signup = fields[fields.count - 4]
            return signup.isEmpty || signup <= day || buyers.contains(fields[0])
        }
        try write(signedUp.joined(separator: "\n") + "\n", to: input + "/customers.csv")
        try runPipeline(input: input, root: known, asOf: day, pipeline: packageRoot + "/pipelines/demo.yml", selection: .only("ingest"))

        func lists(_ root: String) throws -> String {
            let settings = try RunSettings.resolve(RunOptions(pipeline: packageRoot + "/pipelines/demo.yml", asOf: day, out: root + "/lists",
                                                              warehouse: root + "/warehouse.sqlite"))
            let warehouse = try Warehouse(path: settings.warehousePath)
            let (decided, _) = try Backtest.offersAsOf(warehouse, settings: settings, workspace: root + "/work",
                                                       clock: try ZoneClock(identifier: "UTC"), logger: quietLogger)
            let outputs = try OutputFolder(directory: root + "/lists", runKey: 1)
            try BacktestReports.writeLists(decided, to: outputs)
            try outputs.commit()
            return try String(contentsOfFile: root + "/lists/backtest_lists.csv", encoding: .utf8)
        }
        let fromFull = try lists(full), fromKnown = try lists(known)
        #expect(fromFull.split(separator: "\n").count > 1000)
        #expect(fromFull == fromKnown)
    }
}
