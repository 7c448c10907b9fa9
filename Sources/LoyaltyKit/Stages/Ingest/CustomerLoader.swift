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
    /// Customers with an issue before this load: only theirs can need clearing.
    private var withIssues: Set<Int64>
    private var firstLine: [String: Int] = [:]
    private let normalized = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: ContactField.maximumBytes)
    private(set) var rowsLoaded = 0
    private(set) var invalid: [ContactField: Int] = [:]

    private enum Column {
        static let id = 0, email = 1, phone = 2, firstName = 3, birthDate = 4, city = 5, region = 6
        static let signupDate = 7, consentEmail = 8, consentSms = 9, consentPush = 10
    }

    init(_ db: Database, phoneRules: PhoneRules) throws {
        self.phoneRules = phoneRules
        upsert = try BulkStatement(db, sql: """
            INSERT INTO customer (customer_id, email, phone, first_name, birth_date, city, region, signup_date,
                consent_email, consent_sms, consent_push, registered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, phone = excluded.phone,
                first_name = excluded.first_name, birth_date = excluded.birth_date, city = excluded.city,
                region = excluded.region, signup_date = excluded.signup_date, consent_email = excluded.consent_email,
                consent_sms = excluded.consent_sms, consent_push = excluded.consent_push, registered = 1
            RETURNING customer_key
            """)
        clearIssues = try BulkStatement(db, sql: "DELETE FROM contact_issue WHERE customer_key = ?")
        addIssue = try BulkStatement(db, sql: "INSERT OR REPLACE INTO contact_issue (customer_key, field, value, reason) VALUES (?, ?, ?, ?)")
        withIssues = Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT customer_key FROM contact_issue"))
    }

    deinit { normalized.deallocate() }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = try reason(record) { try rejects.reject(record, reason) }
    }

    func finish(rejects: RejectSink) throws {}

    private func reason(_ record: InputRecord) throws -> String? {
        if let reason = basicRejectReason(record, entity: .customers) { return reason }
        let id = record.string(Column.id) ?? ""
        if let first = firstLine[id] { return RejectReason.duplicate("customer_id \(id)", firstLine: first) }
        for (column, name) in [(Column.birthDate, "birth_date"), (Column.signupDate, "signup_date")] where !record.isEmpty(column) {
            if case let .failure(error) = record.parse(column, name, FieldParser.date) { return error.reason }
        }
        var consents: [Int64] = [0, 0, 0]
        for (offset, (column, name)) in [(Column.consentEmail, "consent_email"), (Column.consentSms, "consent_sms"),
                                         (Column.consentPush, "consent_push")].enumerated() {
            switch record.parse(column, name, FieldParser.boolean) {
            case let .success(value): consents[offset] = value ? 1 : 0
            case let .failure(error): return error.reason
            }
        }
        firstLine[id] = record.line
        upsert.bind(1, id)
        var problems: [(field: ContactField, problem: AddressProblem)] = []
        for (column, field) in [(Column.email, ContactField.email), (Column.phone, .phone)] {
            let delivered = record.bytes(column)
            guard !delivered.isEmpty else {
                upsert.bind(Int32(column + 1), bytes: delivered)
                continue
            }
            // Bound as a copy (SQLITE_TRANSIENT), so the one buffer serves both fields.
            switch field.normalize(delivered, rules: phoneRules, into: normalized) {
            case let .success(count):
                upsert.bind(Int32(column + 1), bytes: UnsafeBufferPointer(rebasing: normalized[0..<count]))
            case let .failure(problem):
                upsert.bind(Int32(column + 1), bytes: UnsafeBufferPointer(start: nil, count: 0))
                problems.append((field, problem))
            }
        }
        for column in Column.firstName...Column.signupDate {
            upsert.bind(Int32(column + 1), bytes: record.bytes(column))
        }
        upsert.bind(9, consents[0])
        upsert.bind(10, consents[1])
        upsert.bind(11, consents[2])
        let key = try upsert.executeReturningInt64()
        if withIssues.contains(key) {
            clearIssues.bind(1, key)
            try clearIssues.execute()
        }
        for (field, problem) in problems {
            addIssue.bind(1, key)
            addIssue.bind(2, field.rawValue)
            addIssue.bind(3, bytes: record.bytes(field == .email ? Column.email : Column.phone))
            addIssue.bind(4, problem.description)
            try addIssue.execute()
            invalid[field, default: 0] += 1
        }
        rowsLoaded += 1
        return nil
    }
}
