import GRDB

/// Who must not be contacted, and on which channels, on a run's day: the suppressions.csv rows in
/// force (`since` ≤ as_of < `until`) and every customer who unsubscribed before the day ended.
/// The one definition the offers, the mailing lists and `loyalty explain` all use. A row for a
/// channel the pipeline does not have (any more) holds on every channel: a suppression errs on
/// the side of not sending.
///
/// The list is small (thousands of rows), so it is read whole and each reader matches its own
/// customers against it as it scans them: by customer_id, by email (whole address, any case) and
/// by phone (E.164), instead of a join that would have to lowercase every customer's email.
struct SuppressionList {
    /// One rule that keeps a customer out.
    struct Entry: Equatable {
        /// Bits of `channels` indexes; all bits for every channel.
        let mask: UInt32
        /// A channel name, or "" for all.
        let channel: String
        /// The channel is not one of the pipeline's, so the entry holds on all of them.
        let unknownChannel: Bool
        let reason: String?
        let since: String?
        let until: String?
        let match: Match
    }

    /// What matched the customer: a suppressions.csv column, or an unsubscribe.
    enum Match: String {
        case customerId = "customer_id", email, phone, unsubscribed
    }

    private var entries: [Entry] = []
    private var byCustomerId: [String: [Int]] = [:]
    private var byEmail: [String: [Int]] = [:]
    private var byPhone: [String: [Int]] = [:]
    private var unsubscribed: [Int64: Int] = [:]

    static let allChannels = UInt32.max

    /// - Parameters:
    ///   - asOf: the run's day, `YYYY-MM-DD`.
    ///   - unsubscribedBefore: UTC seconds; unsubscribes at or after it do not count yet.
    ///   - clock: for the local day of an unsubscribe.
    ///   - phoneRules: complete the national numbers kept as delivered (`SuppressionLoader`).
    ///   - customerKey: only this customer's unsubscribes (for `loyalty explain`).
    static func load(_ db: Database, asOf: String, unsubscribedBefore: Int64, clock: ZoneClock, channels: [ContactChannel],
                     phoneRules: PhoneRules, customerKey: Int64? = nil) throws -> SuppressionList {
        var list = SuppressionList()
        func mask(_ channel: String) -> UInt32 {
            guard !channel.isEmpty else { return allChannels }
            return channels.firstIndex { $0.name == channel }.map { UInt32(1) << UInt32($0) } ?? allChannels
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT customer_id, email, phone, channel, reason, since, until FROM suppression
            WHERE (since IS NULL OR since <= ?) AND (until IS NULL OR until > ?)
            ORDER BY customer_id, email, phone, channel
            """, arguments: [asOf, asOf])
        while let row = try rows.next() {
            let channel: String = row[3]
            let unknown = !channel.isEmpty && !channels.contains { $0.name == channel }
            for (column, match) in [(0, Match.customerId), (1, .email), (2, .phone)] {
                var value: String = row[column]
                guard !value.isEmpty else { continue }
                if column == 2, !value.hasPrefix("+"), case let .success(number) = PhoneNumber.normalized(value, rules: phoneRules) {
                    value = number
                }
                let index = list.entries.count
                list.entries.append(Entry(mask: mask(channel), channel: channel, unknownChannel: unknown, reason: row[4], since: row[5],
                                          until: row[6], match: match))
                switch column {
                case 0: list.byCustomerId[value, default: []].append(index)
                case 1: list.byEmail[value, default: []].append(index)
                default: list.byPhone[value, default: []].append(index)
                }
            }
        }
        try RowScan.forEach(db, sql: """
            SELECT customer_key, MIN(at) FROM offer_event WHERE event = 'unsubscribed' AND at < ?
            \(customerKey.map { "AND customer_key = \($0)" } ?? "") GROUP BY customer_key
            """, arguments: [unsubscribedBefore]) { row in
            list.unsubscribed[row.int64(0)] = list.entries.count
            list.entries.append(Entry(mask: allChannels, channel: "", unknownChannel: false, reason: "unsubscribed",
                                      since: CivilDate.format(clock.localDay(utcSeconds: row.int64(1))), until: nil, match: .unsubscribed))
        }
        return list
    }

    /// The channels a customer is kept off, as bits of the channels' indexes.
    /// - Parameters: email, phone: the stored (valid) addresses.
    func mask(customerKey: Int64, customerId: String, email: String?, phone: String?) -> UInt32 {
        guard !entries.isEmpty else { return 0 }
        var mask: UInt32 = 0
        forEachEntry(customerKey: customerKey, customerId: customerId, email: email, phone: phone) { mask |= $0.mask }
        return mask
    }

    /// The rules that keep a customer out (for `loyalty explain`).
    func entries(customerKey: Int64, customerId: String, email: String?, phone: String?) -> [Entry] {
        var found: [Entry] = []
        forEachEntry(customerKey: customerKey, customerId: customerId, email: email, phone: phone) { found.append($0) }
        return found
    }

    private func forEachEntry(customerKey: Int64, customerId: String, email: String?, phone: String?, _ body: (Entry) -> Void) {
        if let index = unsubscribed[customerKey] { body(entries[index]) }
        for index in byCustomerId[customerId] ?? [] { body(entries[index]) }
        if !byEmail.isEmpty, let email {
            // Most addresses are lower case already: no new string for them.
            let key = email.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? email.lowercased() : email
            for index in byEmail[key] ?? [] { body(entries[index]) }
        }
        if let phone { for index in byPhone[phone] ?? [] { body(entries[index]) } }
    }
}
