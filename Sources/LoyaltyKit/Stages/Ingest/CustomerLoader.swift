import GRDB

/// Loads `customers`, upserting by `customer_id` (the latest delivery wins, and a customer first
/// seen in transactions gets its details). Dates must be real dates; consents read
/// true/false/1/0/yes/no, empty = false.
final class CustomerLoader: EntityLoader {
    private let upsert: BulkStatement
    private var firstLine: [String: Int] = [:]
    private(set) var rowsLoaded = 0

    private enum Column {
        static let id = 0, email = 1, phone = 2, firstName = 3, birthDate = 4, city = 5, region = 6
        static let signupDate = 7, consentEmail = 8, consentSms = 9, consentPush = 10
    }

    init(_ db: Database) throws {
        upsert = try BulkStatement(db, sql: """
            INSERT INTO customer (customer_id, email, phone, first_name, birth_date, city, region, signup_date,
                consent_email, consent_sms, consent_push, registered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, phone = excluded.phone,
                first_name = excluded.first_name, birth_date = excluded.birth_date, city = excluded.city,
                region = excluded.region, signup_date = excluded.signup_date, consent_email = excluded.consent_email,
                consent_sms = excluded.consent_sms, consent_push = excluded.consent_push, registered = 1
            """)
    }

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
        var consents: [Int64] = []
        for (column, name) in [(Column.consentEmail, "consent_email"), (Column.consentSms, "consent_sms"), (Column.consentPush, "consent_push")] {
            switch record.parse(column, name, FieldParser.boolean) {
            case let .success(value): consents.append(value ? 1 : 0)
            case let .failure(error): return error.reason
            }
        }
        firstLine[id] = record.line
        upsert.bind(1, id)
        for column in Column.email...Column.signupDate {
            upsert.bind(Int32(column + 1), bytes: record.bytes(column))
        }
        upsert.bind(9, consents[0])
        upsert.bind(10, consents[1])
        upsert.bind(11, consents[2])
        try upsert.execute()
        rowsLoaded += 1
        return nil
    }
}
