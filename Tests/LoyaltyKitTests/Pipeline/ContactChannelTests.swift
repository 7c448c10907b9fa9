import Testing
@testable import LoyaltyKit

/// `channels:`: the built-in channels, changes to them, channels of the file's own, and the
/// errors that name their line.
@Suite struct ContactChannelTests {
    @Test func theBuiltInChannelsByDefault() throws {
        let config = try PipelineConfig.parse(yaml: "", file: "p.yml")
        #expect(config.channels == ContactChannel.builtIn)
        #expect(config.channels.map(\.name) == ["email", "sms", "push"])
        #expect(config.channels.map(\.cap) == [4, 2, 8])
        #expect(config.channels.map(\.feedFile) == ["feeds/email.csv", "feeds/sms.csv", "feeds/push.jsonl"])
        #expect(config.offers.channels == ["email", "push", "sms"])
    }

    @Test func aCardChannelComesAfterTheBuiltInOnes() throws {
        let config = try PipelineConfig.parse(yaml: """
            channels:
              card:
                consent: none
                address: customer_id
                fields: [first_name, discount_pct]
              email: {cap: 6}
            """, file: "p.yml")
        #expect(config.channels.map(\.name) == ["email", "sms", "push", "card"])
        #expect(config.channels[3] == ContactChannel(name: "card", consent: nil, address: .customerId, format: .csv,
                                                     fields: [.firstName, .discountPct], cap: nil))
        // Only the cap of email changed.
        var email = ContactChannel.builtIn[0]
        email.cap = 6
        #expect(config.channels[0] == email)
        #expect(config.offers.channels == ["email", "push", "sms", "card"])
        // offers.channels, when given, is the order and the choice.
        let chosen = try PipelineConfig.parse(yaml: "channels:\n  card: {consent: none, address: customer_id}\noffers:\n  channels: [card, email]\n",
                                              file: "p.yml")
        #expect(chosen.offers.channels == ["card", "email"])
        #expect(chosen.digest != config.digest)
    }

    @Test func testRecipientsAreValidatedLikeCustomers() throws {
        let config = try PipelineConfig.parse(yaml: """
            ingest:
              phone_country_code: 49
            offers:
              test_recipients:
                - {name: QA, email: QA@Example.COM, phone: "030 123 4567"}
            """, file: "p.yml")
        #expect(config.offers.testRecipients == [OffersConfig.TestRecipient(name: "QA", email: "QA@example.com", phone: "+49301234567")])
        #expect(config.ingest.phoneRules == PhoneRules(countryCode: "49", trunkPrefix: "0"))
    }

    @Test func badChannelSettingsNameTheirLine() {
        let cases: [(String, Int, String)] = [
            ("channels:\n  Card: {consent: none, address: customer_id}\n", 2, "channels.Card"),
            ("channels:\n  card:\n", 2, "channels.card"),
            ("channels:\n  card:\n    address: customer_id\n", 3, "channels.card.consent"),
            ("channels:\n  card:\n    consent: consent_fax\n    address: none\n", 3, "channels.card.consent"),
            ("channels:\n  card:\n    consent: none\n    address: postbox\n", 4, "channels.card.address"),
            ("channels:\n  email:\n    cap: lots\n", 3, "channels.email.cap"),
            ("channels:\n  email:\n    fields: [first_name, shoe_size]\n", 3, "channels.email.fields"),
            ("channels:\n  email:\n    format: xml\n", 3, "channels.email.format"),
            ("channels:\n  email:\n    colour: blue\n", 3, "channels.email.colour"),
            ("offers:\n  channels: [email, fax]\n", 2, "offers.channels"),
            ("offers:\n  contact_caps: {email: 3}\n", 2, "offers.contact_caps"),
            ("offers:\n  suppression_file: x.csv\n", 2, "offers.suppression_file"),
            ("offers:\n  test_recipients:\n    - {name: QA, email: qa.example.com}\n", 3, "offers.test_recipients.email"),
            ("offers:\n  test_recipients:\n    - {name: QA, phone: \"030 1234567\"}\n", 3, "offers.test_recipients.phone"),
            ("ingest:\n  phone_country_code: \"+49\"\n", 2, "ingest.phone_country_code"),
            ("ingest:\n  phone_trunk_prefix: x\n", 2, "ingest.phone_trunk_prefix"),
        ]
        expectConfigErrors(cases)
    }

    @Test func movedKeysSayWhereTheyWent() {
        #expect(throws: LoyaltyError.config(file: "p.yml", line: 2, key: "offers.contact_caps",
                                            message: "caps are set per channel now: channels: {email: {cap: 4}, sms: {cap: 2}} (docs/offers.md#channels)")) {
            try PipelineConfig.parse(yaml: "offers:\n  contact_caps: {email: 3}\n", file: "p.yml")
        }
    }
}
