import Foundation
import GRDB

/// Addresses that did not validate (`contact_issue`): checked again when the rules may have
/// changed, and listed in contact_issues.csv.
enum ContactIssues {
    static let fileName = "contact_issues.csv"

    /// Moves every stored address through validation: valid ones take their stored form, the
    /// others become issues. For a warehouse whose addresses were loaded before validation existed.
    static func validateStored(_ db: Database, rules: PhoneRules) throws {
        var changes: [(key: Int64, field: ContactField, value: String, result: Result<String, AddressProblem>)] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT customer_key, email, phone FROM customer WHERE email IS NOT NULL OR phone IS NOT NULL")
        while let row = try rows.next() {
            for (column, field) in [(1, ContactField.email), (2, .phone)] {
                guard let value = row[column] as String? else { continue }
                let result = field.normalized(value, rules: rules)
                if case let .success(stored) = result, stored == value { continue }
                changes.append((row[0], field, value, result))
            }
        }
        let fingerprint = ContactField.rulesFingerprint(rules)
        for change in changes {
            try store(db, customerKey: change.key, field: change.field, delivered: change.value, result: change.result, rules: fingerprint)
        }
    }

    /// Checks the issues judged by other rules again with today's (a phone country code set
    /// since, a rule relaxed by an upgrade): an address that now validates goes back to its customer.
    /// - Returns: how many addresses became valid.
    static func recheck(_ db: Database, rules: PhoneRules) throws -> Int {
        let fingerprint = ContactField.rulesFingerprint(rules)
        let issues = try Row.fetchAll(db, sql: "SELECT customer_key, field, value FROM contact_issue WHERE rules <> ?",
                                      arguments: [fingerprint])
        var recovered = 0
        for issue in issues {
            guard let field = ContactField(rawValue: issue[1]) else { continue }
            let value: String = issue[2]
            let result = field.normalized(value, rules: rules)
            if case .success = result { recovered += 1 }
            try store(db, customerKey: issue[0], field: field, delivered: value, result: result, rules: fingerprint)
        }
        return recovered
    }

    /// A judged address: valid, its stored form goes to the customer and any issue goes; not
    /// valid, the customer has none and the issue keeps what was delivered and why.
    private static func store(_ db: Database, customerKey: Int64, field: ContactField, delivered: String,
                              result: Result<String, AddressProblem>, rules fingerprint: String) throws {
        switch result {
        case let .success(stored):
            try db.cachedStatement(sql: "UPDATE customer SET \(field.rawValue) = ? WHERE customer_key = ?").execute(arguments: [stored, customerKey])
            try db.cachedStatement(sql: "DELETE FROM contact_issue WHERE customer_key = ? AND field = ?")
                .execute(arguments: [customerKey, field.rawValue])
        case let .failure(problem):
            try db.cachedStatement(sql: "UPDATE customer SET \(field.rawValue) = NULL WHERE customer_key = ?").execute(arguments: [customerKey])
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO contact_issue (customer_key, field, value, reason, rules) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [customerKey, field.rawValue, delivered, problem.description, fingerprint])
        }
    }

    /// contact_issues.csv: every customer address that is not valid now, by customer then field.
    /// Mode 0600: it holds addresses. Values go through the formula escaping like every text cell.
    static func write(_ db: Database, to outputs: OutputFolder) throws -> (emails: Int, phones: Int) {
        var counts = (emails: 0, phones: 0)
        try outputs.writeCSV(fileName, header: ["customer_id", "field", "value", "reason"], mode: 0o600) { csv in
            try RowScan.forEach(db, sql: """
                SELECT c.customer_id, i.field, i.value, i.reason FROM contact_issue i JOIN customer c USING (customer_key)
                ORDER BY c.customer_id, i.field
                """) { row in
                let field = row.text(1)
                if field == ContactField.email.rawValue { counts.emails += 1 } else { counts.phones += 1 }
                try csv.text(row.text(0))
                try csv.raw(field)
                try csv.text(row.text(2))
                try csv.text(row.text(3))
                try csv.endRow()
            }
        }
        return counts
    }
}
