import GRDB

/// Loads `customers`, upserting by `customer_id` (the latest delivery wins, and a customer first
/// seen in transactions gets its details). Dates must be real dates; consents read
/// true/false/1/0/yes/no, empty = false.
///
/// Email and phone are validated (`EmailAddress`, `PhoneNumber`). An invalid address does not
/// reject the row: the customer loads without it, unreachable on the channels that need it,
/// and the address is kept as delivered in `contact_issue` with the reason.
final class CustomerLoader: EntityLoader {
    private let upsert: BulkStatement
    private let clearIssues: BulkStatement
    private let addIssue: BulkStatement
    private let phoneRules: PhoneRules
    private let rulesFingerprint: String
    /// Ids of the customers with an issue before this load: only theirs can need clearing.
    private var withIssues: Set<String>
    private var firstLine: [String: Int] = [:]
    private let normalized = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: ContactField.maximumBytes)
    private(set) var rowsLoaded = 0
    private(set) var invalid: [ContactField: Int] = [:]

    var notes: [String] {
        guard !invalid.isEmpty else { return [] }
        return ["invalid addresses (the customers loaded, unreachable on them): "
            + ContactField.allCases.compactMap { field in invalid[field].map { "\($0) \(field.rawValue)" } }.joined(separator: ", ")]
    }

    private enum Column {
        static let id = 0, email = 1, phone = 2, firstName = 3, birthDate = 4, city = 5, region = 6
        static let signupDate = 7, consentEmail = 8, consentSms = 9, consentPush = 10
    }

    init(_ db: Database, phoneRules: PhoneRules) throws {
        self.phoneRules = phoneRules
        rulesFingerprint = ContactField.rulesFingerprint(phoneRules)
        upsert = try BulkStatement(db, sql: """
            INSERT INTO customer (customer_id, email, phone, first_name, birth_date, city, region, signup_date,
                consent_email, consent_sms, consent_push, registered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, phone = excluded.phone,
                first_name = excluded.first_name, birth_date = excluded.birth_date, city = excluded.city,
                region = excluded.region, signup_date = excluded.signup_date, consent_email = excluded.consent_email,
                consent_sms = excluded.consent_sms, consent_push = excluded.consent_push, registered = 1
            """)
        // By customer_id, not a key the upsert returns: RETURNING made SQLite build a result table
        // per row and doubled the load's time, for the few rows with an issue.
        clearIssues = try BulkStatement(db, sql: "DELETE FROM contact_issue WHERE customer_key = (SELECT customer_key FROM customer WHERE customer_id = ?)")
        addIssue = try BulkStatement(db, sql: """
            INSERT OR REPLACE INTO contact_issue (customer_key, field, value, reason, rules)
            SELECT customer_key, ?, ?, ?, ? FROM customer WHERE customer_id = ?
            """)
        withIssues = Set(try String.fetchAll(db, sql: "SELECT DISTINCT c.customer_id FROM contact_issue i JOIN customer c USING (customer_key)"))
    }

    deinit { normalized.deallocate() }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = try reason(record) { try rejects.reject(record, reason) }
    }

    func finish(rejects: RejectSink) throws {}

    private func reason(_ record: InputRecord) throws -> String? {
        if let reason = basicRejectReason(record, entity: .customers) { return reason }
        let id = record.string(Column.id) ?? ""
        // One hash of the id a row (the dictionary was a tenth of the load): the id is taken now
        // and given back if the row is rejected after all.
        if let first = firstLine.updateValue(record.line, forKey: id) {
            firstLine[id] = first
            return RejectReason.duplicate("customer_id \(id)", firstLine: first)
        }
        if let reason = fieldReason(record) {
            firstLine.removeValue(forKey: id)
            return reason
        }
        upsert.bind(1, id)
        var emailProblem: AddressProblem?, phoneProblem: AddressProblem?
        bindAddress(record, Column.email, .email, problem: &emailProblem)
        bindAddress(record, Column.phone, .phone, problem: &phoneProblem)
        for column in Column.firstName...Column.signupDate {
            upsert.bind(Int32(column + 1), bytes: record.bytes(column))
        }
        try upsert.execute()
        if !withIssues.isEmpty && withIssues.contains(id) {
            clearIssues.bind(1, id)
            try clearIssues.execute()
        }
        if let emailProblem { try keepIssue(record, Column.email, .email, emailProblem, customerId: id) }
        if let phoneProblem { try keepIssue(record, Column.phone, .phone, phoneProblem, customerId: id) }
        rowsLoaded += 1
        return nil
    }

    /// Checks the dates and binds the consents (parameters 9…11), or returns the reject reason.
    private func fieldReason(_ record: InputRecord) -> String? {
        for (column, name) in Self.dateColumns where !record.isEmpty(column) {
            if case let .failure(error) = record.parse(column, name, FieldParser.date) { return error.reason }
        }
        for (parameter, column, name) in Self.consentColumns {
            switch record.parse(column, name, FieldParser.boolean) {
            case let .success(value): upsert.bind(parameter, Int64(value ? 1 : 0))
            case let .failure(error): return error.reason
            }
        }
        return nil
    }

    private static let dateColumns: [(Int, String)] = [(Column.birthDate, "birth_date"), (Column.signupDate, "signup_date")]
    private static let consentColumns: [(Int32, Int, String)] = [
        (9, Column.consentEmail, "consent_email"), (10, Column.consentSms, "consent_sms"), (11, Column.consentPush, "consent_push"),
    ]

    /// Binds the address in its stored form, or NULL and the problem when it is not valid.
    private func bindAddress(_ record: InputRecord, _ column: Int, _ field: ContactField, problem: inout AddressProblem?) {
        let delivered = record.bytes(column)
        guard !delivered.isEmpty else { return upsert.bind(Int32(column + 1), bytes: delivered) }
        // Bound as a copy (SQLITE_TRANSIENT), so the one buffer serves both fields.
        switch field.normalize(delivered, rules: phoneRules, into: normalized) {
        case let .success(count):
            upsert.bind(Int32(column + 1), bytes: UnsafeBufferPointer(rebasing: normalized[0..<count]))
        case let .failure(found):
            upsert.bind(Int32(column + 1), bytes: UnsafeBufferPointer(start: nil, count: 0))
            problem = found
        }
    }

    private func keepIssue(_ record: InputRecord, _ column: Int, _ field: ContactField, _ problem: AddressProblem, customerId: String) throws {
        addIssue.bind(1, field.rawValue)
        addIssue.bind(2, bytes: record.bytes(column))
        addIssue.bind(3, problem.description)
        addIssue.bind(4, rulesFingerprint)
        addIssue.bind(5, customerId)
        try addIssue.execute()
        invalid[field, default: 0] += 1
    }
}
