import GRDB

/// Loads `suppressions`: who must be kept out of every feed and list, on one channel or all.
///
/// A row names a customer_id, an email or a phone (one at least; several match any of them).
/// Addresses are validated as customers' are and stored for matching: emails lowercased whole,
/// phones in E.164. A customer_id need not be known yet: it holds when that customer appears.
/// Rows are upserts by (customer_id, email, phone, channel), so a reload changes nothing and a
/// later delivery of the same row updates its reason and dates (an `until` lifts it).
final class SuppressionLoader: EntityLoader {
    private let upsert: BulkStatement
    private let phoneRules: PhoneRules
    private let channels: [String]
    private let loadKey: Int64
    private var firstLine: [String: Int] = [:]
    private(set) var rowsLoaded = 0

    private enum Column {
        static let customerId = 0, email = 1, phone = 2, channel = 3, reason = 4, since = 5, until = 6
    }

    init(_ db: Database, loadKey: Int64, channels: [String], phoneRules: PhoneRules) throws {
        self.loadKey = loadKey
        self.channels = channels
        self.phoneRules = phoneRules
        upsert = try BulkStatement(db, sql: """
            INSERT INTO suppression (customer_id, email, phone, channel, reason, since, until, load_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (customer_id, email, phone, channel) DO UPDATE SET reason = excluded.reason, since = excluded.since,
                until = excluded.until, load_key = excluded.load_key
            """)
    }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = reason(record) { try rejects.reject(record, reason) } else { try insert(record) }
    }

    func finish(rejects: RejectSink) throws {}

    /// The row `reason` accepted, as it is stored.
    private var pending: (customerId: String, email: String, phone: String, channel: String, since: Int64?, until: Int64?)
        = ("", "", "", "", nil, nil)

    private func reason(_ record: InputRecord) -> String? {
        if let reason = basicRejectReason(record, entity: .suppressions) { return reason }
        let customerId = record.string(Column.customerId)?.trimmingSpaces ?? ""
        let emailText = record.string(Column.email), phoneText = record.string(Column.phone)
        guard !customerId.isEmpty || emailText != nil || phoneText != nil else {
            return RejectReason.missing("one of customer_id, email, phone")
        }
        var email = "", phone = ""
        if let emailText {
            switch EmailAddress.normalized(emailText) {
            case let .success(address): email = address.lowercased()
            case let .failure(problem): return RejectReason.invalidAddress("email", emailText, problem)
            }
        }
        if let phoneText {
            switch PhoneNumber.normalized(phoneText, rules: phoneRules) {
            case let .success(number): phone = number
            case let .failure(problem): return RejectReason.invalidAddress("phone", phoneText, problem)
            }
        }
        let channel = (record.string(Column.channel) ?? "").trimmingSpaces.lowercased()
        if !channel.isEmpty && !channels.contains(channel) {
            return "invalid channel: '\(record.string(Column.channel) ?? "")' is not a channel of the pipeline "
                + "(\(channels.joined(separator: ", ")); empty for all channels)"
        }
        var days: [Int64?] = [nil, nil]
        for (offset, (column, name)) in [(Column.since, "since"), (Column.until, "until")].enumerated() where !record.isEmpty(column) {
            switch record.parse(column, name, FieldParser.date) {
            case let .success(day): days[offset] = day
            case let .failure(error): return error.reason
            }
        }
        if let since = days[0], let until = days[1], until <= since {
            return "invalid until: '\(record.string(Column.until) ?? "")' is not after since '\(record.string(Column.since) ?? "")'"
        }
        let key = "\(customerId)\u{1F}\(email)\u{1F}\(phone)\u{1F}\(channel)"
        if let first = firstLine[key] {
            return RejectReason.duplicate("(\(customerId), \(email), \(phone), channel '\(channel)')", firstLine: first)
        }
        firstLine[key] = record.line
        pending = (customerId, email, phone, channel, days[0], days[1])
        return nil
    }

    private func insert(_ record: InputRecord) throws {
        upsert.bind(1, exactly: pending.customerId)
        upsert.bind(2, exactly: pending.email)
        upsert.bind(3, exactly: pending.phone)
        upsert.bind(4, exactly: pending.channel)
        upsert.bind(5, bytes: record.bytes(Column.reason))
        upsert.bind(6, pending.since.map(CivilDate.format))
        upsert.bind(7, pending.until.map(CivilDate.format))
        upsert.bind(8, loadKey)
        try upsert.execute()
        rowsLoaded += 1
    }
}

private extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
