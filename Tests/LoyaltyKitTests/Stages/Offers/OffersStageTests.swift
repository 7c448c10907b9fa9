import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// `fixtures/cases/offers`: C1 (email) buys tea every 30 days and has a birthday in 3 days; C2 has
/// no consent; C3 (sms) buys coffee every 44 days; C4 (push) is registered without purchases; C5
/// unsubscribed; C6 (email, push) is Lost.
@Suite struct OffersStageTests {
    let delivery = fixture("cases/offers")

    func offers(_ root: String) throws -> [[String: String]] {
        let rows = try readCSV(root + "/out/offers.csv")
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
    }

    @Test func consentSuppressionAndFeeds() throws {
        let root = try temporaryFolder()
        try runPipeline(input: delivery, root: root, pipeline: delivery + "/offers.yml")
        let offers = try offers(root)
        #expect(Set(offers.map { $0["customer_id"]! }) == ["C1", "C3", "C4", "C6"])
        #expect(offers.filter { $0["customer_id"] == "C1" }.map { "\($0["rank"]!) \($0["offer_type"]!) \($0["product_id"]!)" }
            == ["1 cross_sell POT", "2 replenishment TEA", "3 birthday "])
        let tea = try #require(offers.first { $0["offer_type"] == "replenishment" && $0["customer_id"] == "C1" })
        #expect(tea["reason"] == "Time to restock Green Tea 100 g: bought every 30 days, last on 2026-10-26")
        #expect(tea["channel"] == "email" && tea["discount_pct"] == "5" && tea["valid_from"] == "2026-11-22" && tea["valid_to"] == "2026-12-05")
        #expect(tea["evidence"]?.hasSuffix("cycle used=30.00 d; due=2026-11-25") == true)

        let email = try readCSV(root + "/out/feeds/email.csv")
        #expect(email[0] == ["offer_id", "customer_id", "email", "first_name", "product_name", "price", "discount_pct", "valid_to", "segment"])
        #expect(email.dropFirst().map { $0[1] } == ["C1", "C1", "C1", "C6", "C6", "TEST-1"])
        #expect(email.last == ["TEST-1", "TEST-1", "qa@example.com", "QA", "Tea Pot", "11.00", "0", "2026-12-05", "Potential Loyalist"])
        let sms = try readCSV(root + "/out/feeds/sms.csv")
        #expect(sms.dropFirst().map { "\($0[1]) \($0[2])" } == ["C3 +49303330000", "TEST-1 +49309990000"])
        let push = try String(contentsOfFile: root + "/out/feeds/push.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(push.count == 3 && push[0].hasPrefix("{\"offer_id\":\"OF-") && push[0].contains("\"customer_id\":\"C4\",\"first_name\":\"Dan\""))
        for feed in ["email.csv", "sms.csv", "push.jsonl"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: root + "/out/feeds/" + feed)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        let drops = try readCSV(root + "/out/offer_drops.csv").dropFirst().map { "\($0[0])|\($0[1])|\($0[2])" }
        #expect(drops.contains("no channel|favourite_item|1"))
        #expect(drops.contains("suppressed|favourite_item|1") && drops.contains("suppressed|replenishment|1"))
    }

    @Test func controlCustomersAreStoredButInNoFeed() throws {
        let root = try temporaryFolder()
        try write("timezone: UTC\noffers:\n  holdout_share: 0.5\n", to: root + "/half.yml")
        try runPipeline(input: delivery, root: root, pipeline: root + "/half.yml")
        let offers = try offers(root)
        // Without offers.evidence_column, offers.csv has the contract's columns only.
        #expect(try readCSV(root + "/out/offers.csv")[0] == ["offer_id", "customer_id", "rank", "offer_type", "product_id", "category_id", "channel",
                                                             "score", "expected_value", "discount_pct", "reason", "valid_from", "valid_to", "holdout"])
        let control = Set(offers.filter { $0["holdout"] == "true" }.map { $0["offer_id"]! })
        #expect(!control.isEmpty)
        var fed = Set<String>()
        for row in try readCSV(root + "/out/feeds/email.csv").dropFirst() + readCSV(root + "/out/feeds/sms.csv").dropFirst() { fed.insert(row[0]) }
        for line in try String(contentsOfFile: root + "/out/feeds/push.jsonl", encoding: .utf8).split(separator: "\n") {
            fed.insert(String(line.split(separator: "\"")[3]))
        }
        #expect(fed.isDisjoint(with: control))
        #expect(fed == Set(offers.filter { $0["holdout"] == "false" }.map { $0["offer_id"]! }))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM offer WHERE holdout = 1") == control.count)
        // The night's row: every offer, the control customers, the configured share (0.5 here).
        let controlCustomers = Set(offers.filter { $0["holdout"] == "true" }.map { $0["customer_id"]! }).count
        #expect(try scalar(warehouse, "SELECT offers FROM offer_run WHERE as_of = '2026-11-21'") == offers.count)
        #expect(try scalar(warehouse, "SELECT control_customers FROM offer_run WHERE as_of = '2026-11-21'") == controlCustomers)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM offer_run WHERE holdout_share = 0.5 AND valid_from = '2026-11-22'") == 1)
    }

    @Test func coolDownOverTwoRunsAndIdenticalReruns() throws {
        let root = try temporaryFolder()
        let pipeline = delivery + "/offers.yml"
        try runPipeline(input: delivery, root: root, asOf: "2026-11-21", pipeline: pipeline)
        let first = try Data(contentsOf: URL(fileURLWithPath: root + "/out/offers.csv"))
        let ids = try offers(root).map { $0["offer_id"]! }
        // The next night: C1's cross-sell, C6's offers … were offered yesterday, so they cool down.
        try runPipeline(input: delivery, root: root, asOf: "2026-11-22", pipeline: pipeline)
        let next = try offers(root)
        #expect(!next.contains { $0["customer_id"] == "C1" && $0["offer_type"] == "cross_sell" })
        let drops = try readCSV(root + "/out/offer_drops.csv").dropFirst().filter { $0[0] == "cool-down" }
        #expect(drops.reduce(0) { $0 + Int($1[2])! } >= 5)
        // Rerunning the first night gives the same bytes and the same ids.
        try runPipeline(input: delivery, root: root, asOf: "2026-11-21", pipeline: pipeline)
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/out/offers.csv")) == first)
        #expect(try offers(root).map { $0["offer_id"]! } == ids)
    }

    /// C1 got 3 email offers on the first night; with a cap of 3 emails in 30 days the next
    /// night's new candidate (an up-sell) is dropped by the cap, counting the warehouse's history.
    @Test func contactCapsCountEarlierNights() throws {
        let root = try temporaryFolder()
        try write("timezone: UTC\nchannels:\n  email: {cap: 3}\noffers:\n  holdout_share: 0\n", to: root + "/caps.yml")
        try runPipeline(input: delivery, root: root, asOf: "2026-11-21", pipeline: root + "/caps.yml")
        #expect(try offers(root).filter { $0["customer_id"] == "C1" }.count == 3)
        try runPipeline(input: delivery, root: root, asOf: "2026-11-22", pipeline: root + "/caps.yml")
        #expect(!(try offers(root)).contains { $0["customer_id"] == "C1" })
        let drops = try readCSV(root + "/out/offer_drops.csv").dropFirst().map { "\($0[0])|\($0[1])|\($0[2])" }
        #expect(drops.contains("contact cap|up_sell|1"))
    }

    @Test func explainShowsFiguresOffersAndDroppedCandidates() throws {
        let root = try temporaryFolder()
        try runPipeline(input: delivery, root: root, pipeline: delivery + "/offers.yml")
        let settings = try RunSettings.resolve(RunOptions(pipeline: delivery + "/offers.yml", asOf: "2026-11-21", warehouse: root + "/warehouse.sqlite"))
        let text = try OfferExplanation.explain(customerId: "C1", settings: settings)
        #expect(text.hasPrefix("customer C1 (Anna), as of 2026-11-21\n  segment: Potential Loyalist"))
        #expect(text.contains("consents: email; channel: email\n  channels: email: reachable; push: no consent; sms: no consent\n"))
        #expect(text.contains("  2. replenishment TEA via email: "))
        #expect(text.contains("     reason: Time to restock Green Tea 100 g: bought every 30 days, last on 2026-10-26"))
        let suppressed = try OfferExplanation.explain(customerId: "C5", settings: settings)
        #expect(suppressed.contains("  consents: email; channel: none\n  channels: email: suppressed; push: no consent; sms: no consent\n"
            + "  suppressed: all channels (unsubscribed on 2026-11-01)\n"))
        #expect(suppressed.contains("dropped candidates:\n  - replenishment COFFEE: suppressed"))
        #expect(throws: LoyaltyError.self) { try OfferExplanation.explain(customerId: "NOPE", settings: settings) }
    }
}

/// An export with order lines only (no customers.csv: no consents, no addresses), as public retail
/// data sets come: the default channels reach nobody, and the summary says why and what to set;
/// a card channel (no consent, the customer id as address) reaches every buyer.
@Suite struct ReachabilityTests {
    func delivery(_ root: String) throws -> String {
        let input = root + "/in"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for name in ["categories.csv", "products.csv", "transactions.csv"] {
            try FileManager.default.copyItem(atPath: fixture("cases/offers/" + name), toPath: input + "/" + name)
        }
        return input
    }

    @Test func aNightThatReachesNobodySaysWhyInOneLine() throws {
        let root = try temporaryFolder()
        let pipeline = root + "/p.yml"
        try write("timezone: UTC\noffers:\n  holdout_share: 0\n", to: pipeline)
        let result = try runPipeline(input: try delivery(root), root: root, pipeline: pipeline)
        let offers = try #require(result.stages.first { $0.name == "offers" })
        #expect(offers.report.rowsWritten == 0)
        // The five buyers (C1, C2, C3, C5, C6) all have candidates; none gave a consent.
        #expect(offers.report.summary.filter { $0.hasPrefix("warning:") } == [
            "warning: 5 of 5 customers with offer candidates are reached by no channel (email, push, sms): 5 without consent. "
                + "Most gave no consent for these channels (consent_email, consent_sms, consent_push in customers.csv): deliver the "
                + "consents, or add a channel that needs none, such as the loyalty card "
                + "(channels: {card: {consent: none, address: customer_id}}; docs/offers.md#channels).",
        ])
    }

    @Test func aCardChannelReachesEveryBuyer() throws {
        let root = try temporaryFolder()
        let pipeline = root + "/card.yml"
        try write("""
            timezone: UTC
            channels:
              card: {consent: none, address: customer_id, fields: [product_id, discount_pct, valid_to]}
            offers:
              holdout_share: 0
              test_recipients:
                - {name: QA, email: qa@example.com}
            """, to: pipeline)
        let result = try runPipeline(input: try delivery(root), root: root, pipeline: pipeline)
        let summary = try #require(result.stages.first { $0.name == "offers" }).report.summary
        #expect(!summary.contains { $0.hasPrefix("warning:") })
        #expect(summary.contains("feeds: email 0, sms 0, push 0, card 7"))
        let offers = try readCSV(root + "/out/offers.csv")
        #expect(Set(offers.dropFirst().map { $0[6] }) == ["card"])
        let card = try readCSV(root + "/out/feeds/card.csv")
        // No address column: the customer id is the card.
        #expect(card[0] == ["offer_id", "customer_id", "product_id", "discount_pct", "valid_to"])
        #expect(Set(card.dropFirst().dropLast().map { $0[1] }) == ["C1", "C2", "C3", "C5", "C6"])
        #expect(card.dropFirst().dropLast().map { $0[0] } == offers.dropFirst().map { $0[0] })
        #expect(card.last?.prefix(2) == ["TEST-1", "TEST-1"])
        // The email feed exists for the mailing system, with its header only (and the test row).
        #expect(try readCSV(root + "/out/feeds/email.csv").dropFirst().map { $0[0] } == ["TEST-1"])
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/out/feeds/card.csv")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

@Suite struct ReachabilityWarningTests {
    @Test func theBiggestCauseNamesItsSetting() throws {
        // 3 reached, 4 invalid, 2 without consent: 6 of 9 unreachable, invalid addresses the most.
        let line = try #require(Reachability.warning([.reachable: 3, .invalidAddress: 4, .noConsent: 2], channels: ["email", "sms"]))
        #expect(line.hasPrefix("6 of 9 customers with offer candidates are reached by no channel (email, sms): 2 without consent, "
            + "4 with an invalid address. Most have an address that did not validate: contact_issues.csv"))
        #expect(line.contains("ingest.phone_country_code"))
        // Half or more reached: no line.
        #expect(Reachability.warning([.reachable: 5, .suppressed: 5], channels: ["email"]) != nil)
        #expect(Reachability.warning([.reachable: 6, .suppressed: 5], channels: ["email"]) == nil)
        #expect(Reachability.warning([:], channels: ["email"]) == nil)
        // No channel listed at all: that, not the consents, is the cause.
        #expect(Reachability.warning([.noConsent: 7], channels: []) == "7 customers have offer candidates, but offers.channels is empty: "
            + "no offer can be sent. List the channels to send on (offers.channels; docs/offers.md#channels).")
    }

    @Test func explainShowsControlCharactersAsText() {
        #expect(OfferExplanation.visible("anna\u{1B}[31m\u{0}x\u{9C}") == "anna\\u{1B}[31m\\u{0}x\\u{9C}")
        #expect(OfferExplanation.visible("plain text · ok") == "plain text · ok")
    }
}
