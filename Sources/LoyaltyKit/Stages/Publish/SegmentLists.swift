import GRDB

/// lists/SEGMENT.csv: one mailing list per segment with members, customer_id then the
/// `publish.list_fields`, ordered by customer_id. Created with mode 0600: they hold personal data.
/// Consent is a column, not a filter: the marketer picks the channel.
///
/// Suppressions (`SuppressionList`) hold here as in the feeds: a customer kept off every channel
/// is in no list; one kept off some has the address and consent of those channels cleared (an
/// address or consent stays while a channel that needs it is not suppressed). Addresses are the
/// validated ones, written verbatim like the feeds' (a valid address never starts like a formula).
enum SegmentLists {
    enum Kind: Equatable {
        case text, money
        case address(ContactChannel.Address)
        case consent(ContactChannel.Consent)
    }

    /// The fields a list may carry, with the SQL that reads each (`c` = customer, `r` = customer_rfm).
    static let fields: [(name: String, sql: String, kind: Kind)] = [
        ("first_name", "c.first_name", .text), ("email", "c.email", .address(.email)), ("phone", "c.phone", .address(.phone)),
        ("city", "c.city", .text), ("region", "c.region", .text), ("birth_date", "c.birth_date", .text),
        ("signup_date", "c.signup_date", .text), ("consent_email", "c.consent_email", .consent(.email)),
        ("consent_sms", "c.consent_sms", .consent(.sms)), ("consent_push", "c.consent_push", .consent(.push)),
        ("recency_days", "r.recency_days", .text), ("frequency", "r.frequency", .text),
        ("monetary", "r.monetary_minor", .money), ("cluster", "r.cluster", .text),
    ]
    static let defaultFields = ["first_name", "email", "phone", "consent_email", "consent_sms", "consent_push", "recency_days", "frequency", "monetary"]

    /// A file name for a segment: lower case, runs of other characters as one `_` ("Can't Lose Them" → cant_lose_them).
    static func fileName(_ segment: String) -> String {
        var slug = ""
        for character in segment.lowercased() {
            if character.isLetter || character.isNumber {
                slug.append(character)
            } else if character != "'", !slug.isEmpty, slug.last != "_" {
                slug.append("_")
            }
        }
        while slug.last == "_" { slug.removeLast() }
        return "lists/\(slug.isEmpty ? "segment" : slug).csv"
    }

    /// - Returns: the rows written over all lists.
    static func write(_ db: Database, fields names: [String], channels: [ContactChannel], suppressions: SuppressionList,
                      to outputs: OutputFolder) throws -> Int {
        let chosen = names.compactMap { name in fields.first { $0.name == name } }
        // Per field, the channels that need it: it is cleared when all of them are suppressed.
        let needing: [UInt32] = chosen.map { field in
            var mask: UInt32 = 0
            for (index, channel) in channels.enumerated() {
                switch field.kind {
                case let .address(address) where channel.address == address: mask |= 1 << UInt32(index)
                case let .consent(consent) where channel.consent == consent: mask |= 1 << UInt32(index)
                default: break
                }
            }
            return mask
        }
        let everyChannel: UInt32 = channels.count >= 32 ? .max : (1 << UInt32(channels.count)) - 1
        // Customers in id order (the id's index gives it without a sort), each list open at once.
        var lists: [String: (file: FileOutput, csv: CSVWriter, rows: Int)] = [:]
        do {
            try RowScan.forEach(db, sql: """
                SELECT r.segment, c.customer_id, c.customer_key, c.email, c.phone\(chosen.map { ", " + $0.sql }.joined())
                FROM customer c JOIN customer_rfm r USING (customer_key) ORDER BY c.customer_id
                """) { row in
                let suppressed = suppressions.mask(customerKey: row.int64(2), customerId: row.text(1), email: row.optionalText(3),
                                                   phone: row.optionalText(4))
                if suppressed & everyChannel == everyChannel { return }
                let segment = row.text(0)
                if lists[segment] == nil {
                    let file = try outputs.create(fileName(segment), mode: 0o600)
                    let csv = CSVWriter(to: file, escapeFormulas: true)
                    try csv.row(["customer_id"] + chosen.map(\.name))
                    lists[segment] = (file, csv, 0)
                }
                guard let csv = lists[segment]?.csv else { return }
                try csv.text(row.text(1))
                for (offset, field) in chosen.enumerated() {
                    let column = Int32(offset + 5)
                    let cleared = needing[offset] != 0 && suppressed & needing[offset] == needing[offset]
                    switch field.kind {
                    case .money:
                        try csv.money(row.optionalInt64(column))
                    case .address:
                        try csv.raw(cleared ? nil : row.optionalText(column))
                    case .consent:
                        try csv.raw(row.isNull(column) ? nil : cleared ? "0" : row.text(column))
                    case .text:
                        try csv.text(row.optionalText(column))
                    }
                }
                try csv.endRow()
                lists[segment]?.rows += 1
            }
        } catch {
            for list in lists.values { try? list.file.close() }
            throw error
        }
        for (segment, list) in lists {
            try list.file.close()
            outputs.recordRows(fileName(segment), list.rows)
        }
        return lists.values.reduce(0) { $0 + $1.rows }
    }
}
