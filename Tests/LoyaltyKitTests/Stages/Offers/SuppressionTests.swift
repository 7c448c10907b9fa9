import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// suppressions.csv over two nights of `fixtures/cases/offers`: C1 (email only) bounced, so no
/// channel is left for her; C6 (email and push) complained about email until 2026-11-22, so push
/// carries her offers on the first night and email again on the second; C3's legal hold starts
/// 2026-12-01, after both nights.
@Suite struct SuppressionTests {
    let suppressions = """
        customer_id,email,phone,channel,reason,since,until
        ,ANNA@Example.com,,email,hard bounce,2026-11-01,
        C6,,,email,complaint,,2026-11-22
        C3,,,,legal hold,2026-12-01,

        """

    func delivery(_ root: String) throws -> String {
        let input = root + "/in"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for name in ["categories.csv", "products.csv", "customers.csv", "transactions.csv", "offer_events.csv"] {
            try FileManager.default.copyItem(atPath: fixture("cases/offers/" + name), toPath: input + "/" + name)
        }
        try write(suppressions, to: input + "/suppressions.csv")
        return input
    }

    func rows(_ path: String) throws -> [[String: String]] {
        let rows = try readCSV(path)
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
    }

    @Test func feedsListsAndExplainHonourSuppressionsNightByNight() throws {
        let root = try temporaryFolder()
        let input = try delivery(root)
        let pipeline = root + "/pipeline.yml"
        try write("timezone: UTC\noffers:\n  holdout_share: 0\n", to: pipeline)
        try runPipeline(input: input, root: root, asOf: "2026-11-21", pipeline: pipeline)
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        // Stored for matching: the email lowercased whole, every identifier present or ''.
        #expect(try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT customer_id, email, channel, since, until FROM suppression ORDER BY customer_id, email").map {
                "\($0[0] as String)|\($0[1] as String)|\($0[2] as String)|\(($0[3] as String?) ?? "")|\(($0[4] as String?) ?? "")"
            }
        } == ["|anna@example.com|email|2026-11-01|", "C3|||2026-12-01|", "C6||email||2026-11-22"])
        // What the rows say (load_key names the delivery that said it last).
        let content = "(SELECT customer_id, email, phone, channel, reason, since, until FROM suppression)"
        let digest = try tableDigest(warehouse, content, orderBy: "customer_id, email, phone, channel")

        let offers = try rows(root + "/out/offers.csv")
        #expect(!offers.contains { $0["customer_id"] == "C1" })
        #expect(Set(offers.filter { $0["customer_id"] == "C6" }.map { $0["channel"]! }) == ["push"])
        #expect(Set(offers.filter { $0["customer_id"] == "C3" }.map { $0["channel"]! }) == ["sms"])
        let email = try readCSV(root + "/out/feeds/email.csv").dropFirst().map { $0[1] }
        #expect(!email.contains("C1") && !email.contains("C6"))
        let push = try String(contentsOfFile: root + "/out/feeds/push.jsonl", encoding: .utf8)
        #expect(push.contains("\"customer_id\":\"C6\""))
        let drops = try rows(root + "/out/offer_drops.csv").filter { $0["reason"] == "suppressed" }
        #expect(drops.reduce(0) { $0 + Int($1["candidates"]!)! } > 0)

        // Lists: C1 and C6 stay (push and sms are still theirs to use), without what is suppressed.
        let lists = try FileManager.default.contentsOfDirectory(atPath: root + "/out/lists").flatMap { try rows(root + "/out/lists/" + $0) }
        let c1 = try #require(lists.first { $0["customer_id"] == "C1" })
        #expect(c1["email"] == "" && c1["consent_email"] == "0")
        let c6 = try #require(lists.first { $0["customer_id"] == "C6" })
        #expect(c6["email"] == "" && c6["consent_email"] == "0" && c6["consent_push"] == "1")
        // C5 unsubscribed (an offer event): kept off every channel, so in no list at all.
        #expect(!lists.contains { $0["customer_id"] == "C5" })
        #expect(lists.first { $0["customer_id"] == "C2" }?["email"] == "ben@example.com")

        let settings = try RunSettings.resolve(RunOptions(pipeline: pipeline, asOf: "2026-11-21", warehouse: root + "/warehouse.sqlite"))
        let anna = try OfferExplanation.explain(customerId: "C1", settings: settings)
        #expect(anna.contains("  channels: email: suppressed; push: no consent; sms: no consent\n"
            + "  suppressed: email (hard bounce, since 2026-11-01, suppressions.csv by email)\n"))

        // The second night reloads the same file: nothing changes in the table. C6's complaint
        // ended (until 2026-11-22), so email is hers again.
        try runPipeline(input: input, root: root, asOf: "2026-11-22", pipeline: pipeline)
        #expect(try tableDigest(warehouse, content, orderBy: "customer_id, email, phone, channel") == digest)
        let next = try RunSettings.resolve(RunOptions(pipeline: pipeline, asOf: "2026-11-22", warehouse: root + "/warehouse.sqlite"))
        let fay = try OfferExplanation.explain(customerId: "C6", settings: next)
        #expect(fay.contains("channel: email\n  channels: email: reachable;") && !fay.contains("suppressed:"))
        #expect(!(try rows(root + "/out/offers.csv")).contains { $0["customer_id"] == "C1" })
        // C3's hold is in force from its first day.
        let later = try RunSettings.resolve(RunOptions(pipeline: pipeline, asOf: "2026-12-01", warehouse: root + "/warehouse.sqlite"))
        #expect(try OfferExplanation.explain(customerId: "C3", settings: later).contains("  suppressed: all channels (legal hold, since 2026-12-01, suppressions.csv by customer_id)\n"))

        // The third night's delivery brings two rows again, changed: Anna's bounce ends on
        // 2026-11-23 (an until lifts it), and C3's hold gets a new reason. Rows are upserts.
        try write("""
            customer_id,email,phone,channel,reason,since,until
            ,anna@example.com,,email,hard bounce,2026-11-01,2026-11-23
            C3,,,,legal hold (case 17),2026-12-01,

            """, to: input + "/suppressions.csv")
        try runPipeline(input: input, root: root, asOf: "2026-11-23", pipeline: pipeline)
        #expect(try warehouse.count("suppression") == 3)
        #expect(Set(try rows(root + "/out/offers.csv").filter { $0["customer_id"] == "C1" }.map { $0["channel"]! }) == ["email"])
        #expect(try readCSV(root + "/out/feeds/email.csv").dropFirst().contains { $0[1] == "C1" })
        #expect(try OfferExplanation.explain(customerId: "C3", settings: later).contains("  suppressed: all channels (legal hold (case 17), since 2026-12-01, suppressions.csv by customer_id)\n"))
    }

    /// A suppression that fails to load would let someone be contacted: only rows that identify
    /// nobody are rejected; a bad address beside another identifier, an unknown channel and a
    /// national number waiting for its country code load, and the summary says which lines.
    @Test func onlyRowsThatIdentifyNobodyAreRejected() throws {
        let root = try temporaryFolder()
        let input = root + "/in"
        try write("category_id,name\nHOT,Hot drinks\n", to: input + "/categories.csv")
        try write("""
            customer_id,email,phone,channel,reason,since,until
            ,,,email,no identifier,,
            C1,,,fax,unknown channel,,
            ,anna(at)example.com,,,invalid email,,
            ,,0301234567,,national phone without a country code,,
            C2,,,,dates the wrong way,2026-11-10,2026-11-01
            C3,,,SMS,complaint,,
            C3,,,sms,the same again,,
            C4,,,card,a channel of the pipeline,,
            C5,bad@@example.com,,,a customer id and a bad email,,
            ,,030 12,,national: kept until a country code can tell,,

            """, to: input + "/suppressions.csv")
        let pipeline = root + "/card.yml"
        try write("channels:\n  card: {consent: none, address: customer_id}\n", to: pipeline)
        let result = try runPipeline(input: input, root: root, pipeline: pipeline, selection: .only("ingest"))
        #expect(try readCSV(root + "/out/rejects.csv").dropFirst().map { "\($0[1]) \($0[2])" } == [
            "2 missing required field: one of customer_id, email, phone",
            "4 invalid email: 'anna(at)example.com' has no '@' (the row identifies nobody)",
            "6 invalid until: '2026-11-01' is not after since '2026-11-10'",
            "8 duplicate key: (C3, , , channel 'sms') already appears on line 7 of this file",
        ])
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT customer_id, email, phone, channel FROM suppression ORDER BY customer_id, phone").map {
                "\($0[0] as String)|\($0[1] as String)|\($0[2] as String)|\($0[3] as String)"
            }
        } == ["||030 12|", "||0301234567|", "C1|||fax", "C3|||sms", "C4|||card", "C5|||"])
        #expect(result.stages[0].report.summary.contains(
            "suppressions.csv: 6 loaded, 4 rejected; suppressions: line(s) 10 hold an invalid email or phone: loaded by their other "
                + "identifiers only; correct them and deliver the rows again; suppressions: line(s) 3 name a channel the pipeline does not "
                + "have ('fax'; it has email, sms, push, card): held on every channel"))
    }

    @Test func aFileInWhichNoRowIdentifiesAnybodyFailsWhole() throws {
        let root = try temporaryFolder()
        let input = root + "/in"
        try write("category_id,name\nHOT,Hot drinks\n", to: input + "/categories.csv")
        try write("Customer ID,E-Mail,reason\nC1,anna@example.com,complaint\nC2,,legal hold\n", to: input + "/suppressions.csv")
        #expect {
            try runPipeline(input: input, root: root, selection: .only("ingest"))
        } throws: { error in
            "\(error)".contains("suppressions.csv:1: no row names a customer_id, email or phone (does the header have these columns?)")
                && "\(error)".contains("nothing of this file was loaded")
        }
        #expect(try scalar(try Warehouse(path: root + "/warehouse.sqlite"), "SELECT COUNT(*) FROM suppression") == 0)
    }

    /// Kept as delivered while ingest.phone_country_code is unset, a national number matches the
    /// customer's E.164 number once the code is set.
    @Test func aNationalNumberMatchesOnceTheCountryCodeIsSet() throws {
        let root = try temporaryFolder()
        let input = try delivery(root)
        try write("customer_id,email,phone,channel,reason,since,until\n,,030 333 0000,sms,stop texting,,\n", to: input + "/suppressions.csv")
        let plain = root + "/plain.yml", german = root + "/german.yml"
        try write("timezone: UTC\n", to: plain)
        try write("timezone: UTC\ningest: {phone_country_code: 49}\n", to: german)
        try runPipeline(input: input, root: root, pipeline: plain)
        func explain(_ pipeline: String) throws -> String {
            try OfferExplanation.explain(customerId: "C3", settings: try RunSettings.resolve(RunOptions(
                pipeline: pipeline, asOf: "2026-11-21", warehouse: root + "/warehouse.sqlite")))
        }
        #expect(!(try explain(plain)).contains("suppressed:"))
        #expect(try explain(german).contains("  channels: email: no consent; push: no consent; sms: suppressed\n"
            + "  suppressed: sms (stop texting, suppressions.csv by phone)\n"))
    }
}
