import GRDB

/// lists/SEGMENT.csv: one mailing list per segment with members, customer_id then the
/// `publish.list_fields`, ordered by customer_id. Created with mode 0600: they hold personal data.
/// Consent is a column, not a filter: the marketer picks the channel.
enum SegmentLists {
    /// The fields a list may carry, with the SQL that reads each (`c` = customer, `r` = customer_rfm).
    static let fields: [(name: String, sql: String, money: Bool)] = [
        ("first_name", "c.first_name", false), ("email", "c.email", false), ("phone", "c.phone", false),
        ("city", "c.city", false), ("region", "c.region", false), ("birth_date", "c.birth_date", false),
        ("signup_date", "c.signup_date", false), ("consent_email", "c.consent_email", false),
        ("consent_sms", "c.consent_sms", false), ("consent_push", "c.consent_push", false),
        ("recency_days", "r.recency_days", false), ("frequency", "r.frequency", false),
        ("monetary", "r.monetary_minor", true), ("cluster", "r.cluster", false),
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
    static func write(_ db: Database, fields names: [String], to outputs: OutputFolder) throws -> Int {
        let chosen = names.compactMap { name in fields.first { $0.name == name } }
        // Customers in id order (the id's index gives it without a sort), each list open at once.
        var lists: [String: (file: FileOutput, csv: CSVWriter, rows: Int)] = [:]
        do {
            try RowScan.forEach(db, sql: """
                SELECT r.segment, c.customer_id, \(chosen.map(\.sql).joined(separator: ", "))
                FROM customer c JOIN customer_rfm r USING (customer_key) ORDER BY c.customer_id
                """) { row in
                let segment = row.text(0)
                if lists[segment] == nil {
                    let file = try outputs.create(fileName(segment), mode: 0o600)
                    let csv = CSVWriter(to: file, escapeFormulas: true)
                    try csv.row(["customer_id"] + chosen.map(\.name))
                    lists[segment] = (file, csv, 0)
                }
                let csv = lists[segment]!.csv
                try csv.text(row.text(1))
                for (offset, field) in chosen.enumerated() {
                    let column = Int32(offset + 2)
                    if field.money {
                        try csv.money(row.optionalInt64(column))
                    } else if row.isNull(column) {
                        try csv.raw(nil)
                    } else {
                        try csv.text(row.text(column))
                    }
                }
                try csv.endRow()
                lists[segment]!.rows += 1
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
