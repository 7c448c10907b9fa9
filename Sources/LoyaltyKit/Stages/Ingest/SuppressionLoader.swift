import GRDB

/// Loads `suppressions`: who must be kept out of every feed and list, on one channel or all.
///
/// A row names a customer_id, an email or a phone (one at least; several match any of them).
/// Addresses are validated as customers' are and stored for matching: emails lowercased whole,
/// phones in E.164. A customer_id need not be known yet: it holds when that customer appears.
/// Rows are upserts by (customer_id, email, phone, channel), so a reload changes nothing and a
/// later delivery of the same row updates its reason and dates (an `until` lifts it).
///
/// A suppression that fails to load lets someone be contacted who asked not to be, so small
/// mistakes do not reject a row: an invalid email or phone is dropped when the row has another
/// identifier (the lines are reported), a national number waiting for `ingest.phone_country_code`
/// is kept as delivered (it matches once the code is set), and a channel the pipeline does not
/// have holds on every channel. Only a row that identifies nobody is rejected, and a file in which
/// no row identifies anybody (a header without the identifier columns) fails whole.
final class SuppressionLoader: EntityLoader {
    private let upsert: BulkStatement
    private let phoneRules: PhoneRules
    private let channels: [String]
    private let loadKey: Int64
    private var firstLine: [String: Int] = [:]
    private(set) var rowsLoaded = 0
    /// Lines of loaded rows that lost an invalid email or phone, and that name an unknown channel.
    private(set) var droppedIdentifierLines: [Int] = []
    private(set) var unknownChannelLines: [(line: Int, channel: String)] = []
    private var rowsWithoutIdentifier = 0

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

    func finish(rejects: RejectSink) throws {
        guard rowsLoaded == 0, rowsWithoutIdentifier > 0, rowsWithoutIdentifier == rejects.count else { return }
        throw LoyaltyError.unreadableInput(file: rejects.file, line: 1, message: """
            no row names a customer_id, email or phone (does the header have these columns?): a suppression file that \
            loads nothing would keep nobody out
            """)
    }

    /// The run summary's lines on what loaded, but not as delivered.
    var notes: [String] {
        func lines(_ numbers: [Int]) -> String {
            numbers.prefix(10).map(String.init).joined(separator: ", ") + (numbers.count > 10 ? " and \(numbers.count - 10) more" : "")
        }
        var notes: [String] = []
        if !droppedIdentifierLines.isEmpty {
            notes.append("suppressions: line(s) \(lines(droppedIdentifierLines)) hold an invalid email or phone: loaded by their other "
                + "identifiers only; correct them and deliver the rows again")
        }
        if !unknownChannelLines.isEmpty {
            let names = Set(unknownChannelLines.map(\.channel)).sorted().map { "'\($0)'" }.joined(separator: ", ")
            notes.append("suppressions: line(s) \(lines(unknownChannelLines.map(\.line))) name a channel the pipeline does not have "
                + "(\(names); it has \(channels.joined(separator: ", "))): held on every channel")
        }
        return notes
    }

    /// The row `reason` accepted, as it is stored.
    private var pending: (customerId: String, email: String, phone: String, channel: String, since: Int64?, until: Int64?)
        = ("", "", "", "", nil, nil)

    private func reason(_ record: InputRecord) -> String? {
        if let reason = basicRejectReason(record, entity: .suppressions) { return reason }
        let customerId = record.string(Column.customerId)?.trimmingSpaces ?? ""
        let emailText = record.string(Column.email), phoneText = record.string(Column.phone)
        guard !customerId.isEmpty || emailText != nil || phoneText != nil else {
            rowsWithoutIdentifier += 1
            return RejectReason.missing("one of customer_id, email, phone")
        }
        var email = "", phone = ""
        var firstProblem: String?
        if let emailText {
            switch EmailAddress.normalized(emailText) {
            case let .success(address): email = address.lowercased()
            case let .failure(problem): firstProblem = RejectReason.invalidAddress("email", emailText, problem)
            }
        }
        if let phoneText {
            switch PhoneNumber.normalized(phoneText, rules: phoneRules) {
            case let .success(number): phone = number
            case .failure(.nationalWithoutCountryCode): phone = phoneText.trimmingSpaces
            case let .failure(problem): firstProblem = firstProblem ?? RejectReason.invalidAddress("phone", phoneText, problem)
            }
        }
        if customerId.isEmpty && email.isEmpty && phone.isEmpty {
            return (firstProblem ?? RejectReason.missing("one of customer_id, email, phone")) + " (the row identifies nobody)"
        }
        let channel = (record.string(Column.channel) ?? "").trimmingSpaces.lowercased()
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
        if firstProblem != nil { droppedIdentifierLines.append(record.line) }
        if !channel.isEmpty && !channels.contains(channel) { unknownChannelLines.append((record.line, channel)) }
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
