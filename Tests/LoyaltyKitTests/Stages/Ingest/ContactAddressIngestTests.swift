import Foundation
import GRDB
import Testing
@testable import LoyaltyKit

/// Addresses at ingest: a customer with an invalid address loads without it, the address is kept
/// with its reason and listed in contact_issues.csv, a later delivery or a new rule clears it.
@Suite struct ContactAddressIngestTests {
    func delivery(_ root: String, customers: String) throws -> String {
        let input = root + "/in"
        try write("category_id,name\nHOT,Hot drinks\n", to: input + "/categories.csv")
        try write(customers, to: input + "/customers.csv")
        return input
    }

    func pipeline(_ root: String, countryCode: String?) throws -> String {
        let path = root + "/pipeline-\(countryCode ?? "none").yml"
        try write("timezone: UTC\n" + (countryCode.map { "ingest:\n  phone_country_code: \($0)\n" } ?? ""), to: path)
        return path
    }

    func addresses(_ warehouse: Warehouse) throws -> [String] {
        try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT customer_id, email, phone FROM customer ORDER BY customer_id").map {
                "\($0[0] as String) \(($0[1] as String?) ?? "-") \(($0[2] as String?) ?? "-")"
            }
        }
    }

    @Test func invalidAddressesLoadTheCustomerAndAreListedWithTheirReason() throws {
        let root = try temporaryFolder()
        let input = try delivery(root, customers: """
            customer_id,email,phone,first_name,consent_email
            C1,Anna@Example.COM,030 1234567,Anna,yes
            C2,ben.example.com,+49 30 12,Ben,yes
            C3,"=HYPERLINK(""http://x"")@example.com",,Cara,no
            C4,,,Dan,no

            """)
        let result = try runPipeline(input: input, root: root, pipeline: try pipeline(root, countryCode: "49"), selection: .only("ingest"))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        // Every row loads; valid addresses in their stored form, invalid ones not at all.
        #expect(try addresses(warehouse) == ["C1 Anna@example.com +49301234567", "C2 - -", "C3 - -", "C4 - -"])
        let issues = try readCSV(root + "/out/contact_issues.csv")
        #expect(issues == [
            ["customer_id", "field", "value", "reason"],
            ["C2", "email", "ben.example.com", "has no '@'"],
            // Values are delivered text, not validated addresses: formula-escaped like every text cell.
            ["C2", "phone", "'+49 30 12", "has 6 digits with the country code, E.164 needs 8 to 15"],
            ["C3", "email", "'=HYPERLINK(\"http://x\")@example.com", "starts with '=', which spreadsheets run as a formula"],
        ])
        let mode = try FileManager.default.attributesOfItem(atPath: root + "/out/contact_issues.csv")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let summary = result.stages[0].report.summary
        #expect(summary.contains("customers.csv: 4 loaded, 0 rejected; invalid addresses (the customers loaded, unreachable on them): 2 email, 1 phone"))
        #expect(summary.contains { $0.hasPrefix("contact issues: 2 email, 1 phone address(es) not valid") })
    }

    @Test func reloadsAreIdempotentAndALaterDeliveryClearsTheIssue() throws {
        let root = try temporaryFolder()
        let pipeline = try pipeline(root, countryCode: "49")
        let input = try delivery(root, customers: "customer_id,email,phone\nC1,anna@example,0301234567\nC2,ben@example.com,\n")
        try runPipeline(input: input, root: root, pipeline: pipeline, selection: .only("ingest"))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        let first = try tableDigest(warehouse, "contact_issue", orderBy: "customer_key, field")
        try runPipeline(input: input, root: root, pipeline: pipeline, selection: .only("ingest"))
        #expect(try tableDigest(warehouse, "contact_issue", orderBy: "customer_key, field") == first)
        #expect(try warehouse.count("contact_issue") == 1)
        // The next delivery corrects C1's email and breaks C2's: the latest delivery wins.
        let corrected = try delivery(root, customers: "customer_id,email,phone\nC1,anna@example.de,0301234567\nC2,ben@@example.com,\n")
        try runPipeline(input: corrected, root: root, pipeline: pipeline, selection: .only("ingest"))
        #expect(try addresses(warehouse) == ["C1 anna@example.de +49301234567", "C2 - -"])
        #expect(try readCSV(root + "/out/contact_issues.csv").dropFirst().map { $0.joined(separator: "|") }
            == ["C2|email|ben@@example.com|has more than one '@'"])
    }

    /// A national number is invalid until ingest.phone_country_code says which country it is in;
    /// set later, the next ingest takes the kept number back, with no new customers.csv.
    @Test func aCountryCodeSetLaterValidatesTheKeptNationalNumbers() throws {
        let root = try temporaryFolder()
        let input = try delivery(root, customers: "customer_id,phone\nC1,0301234567\nC2,030 12\n")
        try runPipeline(input: input, root: root, pipeline: try pipeline(root, countryCode: nil), selection: .only("ingest"))
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try addresses(warehouse) == ["C1 - -", "C2 - -"])
        #expect(try readCSV(root + "/out/contact_issues.csv").dropFirst().map { $0[3] } == [
            "is a national number (no + or 00) and ingest.phone_country_code is not set to complete it",
            "is a national number (no + or 00) and ingest.phone_country_code is not set to complete it",
        ])
        let catalogOnly = root + "/catalog"
        try write("category_id,name\nHOT,Hot drinks\n", to: catalogOnly + "/categories.csv")
        let result = try runPipeline(input: catalogOnly, root: root, pipeline: try pipeline(root, countryCode: "49"), selection: .only("ingest"))
        #expect(try addresses(warehouse) == ["C1 - +49301234567", "C2 - -"])
        #expect(result.stages[0].report.summary.contains("1 earlier invalid address(es) are valid under the current rules and are used again"))
        // C2's number is still too short, and now says so.
        #expect(try readCSV(root + "/out/contact_issues.csv").dropFirst().map { $0.joined(separator: "|") }
            == ["C2|phone|030 12|has 6 digits with the country code, E.164 needs 8 to 15"])
    }

    /// A warehouse loaded before addresses were validated: the upgrade validates what it holds,
    /// and offers may go out on channels other than email, sms and push.
    @Test func theUpgradeValidatesStoredAddressesAndOpensTheChannelList() throws {
        let path = try temporaryFolder() + "/old.sqlite"
        let old = try DatabaseQueue(path: path)
        try WarehouseSchema.migrator.migrate(old, upTo: "v3-segment-migration")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO customer (customer_key, customer_id, email, phone) VALUES
                (1, 'C1', 'Anna@Example.COM', '+49 30 1234567'), (2, 'C2', 'not an address', '030 1234567'), (3, 'C3', NULL, NULL)
                """)
            try db.execute(sql: """
                INSERT INTO offer (as_of, offer_id, customer_key, rank, offer_type, channel, score, expected_value_minor, discount_pct, holdout)
                VALUES ('2026-11-20', 'OF-1', 1, 1, 'birthday', 'email', 1.5, 15000, 10, 0)
                """)
        }
        try old.close()

        // Opened by a run of a pipeline with a phone country code: the national number validates.
        let warehouse = try Warehouse(path: path, phoneRules: PhoneRules(countryCode: "49"))
        #expect(try addresses(warehouse) == ["C1 Anna@example.com +49301234567", "C2 - +49301234567", "C3 - -"])
        let issues = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT customer_key, field, value FROM contact_issue ORDER BY customer_key, field").map {
                "\($0[0] as Int) \($0[1] as String) \($0[2] as String)"
            }
        }
        #expect(issues == ["2 email not an address"])
        try warehouse.database.write { db in
            try db.execute(sql: """
                INSERT INTO offer (as_of, offer_id, customer_key, rank, offer_type, channel, score, expected_value_minor, discount_pct, holdout)
                VALUES ('2026-11-21', 'OF-2', 1, 1, 'birthday', 'card', 1.5, 15000, 10, 0)
                """)
        }
        #expect(throws: DatabaseError.self) {
            try warehouse.database.write { db in
                try db.execute(sql: """
                    INSERT INTO offer (as_of, offer_id, customer_key, rank, offer_type, channel, score, expected_value_minor, discount_pct, holdout)
                    VALUES ('2026-11-21', 'OF-3', 1, 1, 'birthday', '', 1.5, 15000, 10, 0)
                    """)
            }
        }
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM offer") == 2)
        #expect(try warehouse.database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    @Test func aNULByteRejectsTheRow() throws {
        let root = try temporaryFolder()
        let input = try delivery(root, customers: "customer_id,first_name\nC1,An\u{0}na\nC2,Ben\n")
        try runPipeline(input: input, root: root, selection: .only("ingest"))
        let rejects = try readCSV(root + "/out/rejects.csv")
        #expect(rejects.dropFirst().map { "\($0[0]):\($0[1]) \($0[2])" }
            == ["customers.csv:2 invalid first_name: the value holds a NUL byte (U+0000), which no text in the contract may contain"])
        // The row as delivered, the NUL shown as ␀ (a NUL would cut the text short when read back).
        #expect(rejects.dropFirst().map { $0[3] } == ["C1,An\u{2400}na"])
        #expect(try addresses(try Warehouse(path: root + "/warehouse.sqlite")) == ["C2 - -"])
    }
}
