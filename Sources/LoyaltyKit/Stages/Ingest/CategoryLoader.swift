import GRDB

/// Loads `categories`: a tree. Rows are collected first because a child may come before its
/// parent; at the end a row whose parent is unknown, or that lies on a cycle, is rejected (and so,
/// in turn, are the rows below it), and the rest are upserted by `category_id`.
final class CategoryLoader: EntityLoader {
    private struct Row {
        let id: String
        let parentId: String?
        let name: String
        let line: Int
        let raw: String
    }

    private let db: Database
    private var rows: [Row] = []
    private var firstLine: [String: Int] = [:]
    private(set) var rowsLoaded = 0

    init(_ db: Database) {
        self.db = db
    }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = basicRejectReason(record, entity: .categories) {
            return try rejects.reject(record, reason)
        }
        let id = record.string(0) ?? ""
        if let first = firstLine[id] {
            return try rejects.reject(record, RejectReason.duplicate("category_id \(id)", firstLine: first))
        }
        firstLine[id] = record.line
        rows.append(Row(id: id, parentId: record.string(1), name: record.string(2) ?? "", line: record.line, raw: record.raw))
    }

    func finish(rejects: RejectSink) throws {
        var existingParent: [String: String?] = [:]
        let cursor = try GRDB.Row.fetchCursor(db, sql: """
            SELECT c.category_id, p.category_id FROM category c LEFT JOIN category p ON p.category_key = c.parent_key
            """)
        while let row = try cursor.next() {
            existingParent[row[0] as String] = row[1] as String?
        }
        var accepted = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        var reasons: [String: String] = [:]
        func parent(of id: String) -> String?? {
            if let row = accepted[id] { return .some(row.parentId) }
            return existingParent[id]
        }
        // Rejecting a row restores the warehouse's version of it (or removes it), which can orphan
        // or loop others: repeat until nothing changes. Every row of a cycle is rejected at once.
        while true {
            var cycle: [String] = []
            for row in rows where accepted[row.id] != nil {
                var seen: Set<String> = [row.id]
                var current = parent(of: row.id) ?? nil
                while let id = current, !seen.contains(id) {
                    seen.insert(id)
                    current = parent(of: id) ?? nil
                }
                if current == row.id { cycle.append(row.id) }
            }
            for id in cycle {
                reasons[id] = "category cycle: '\(id)' would be its own ancestor (parent_id '\(accepted[id]?.parentId ?? "")')"
            }
            for id in cycle { accepted[id] = nil }
            var orphans: [String] = []
            for row in rows where accepted[row.id] != nil {
                if let parentId = row.parentId, parent(of: parentId) == nil {
                    orphans.append(row.id)
                    reasons[row.id] = "unknown parent: parent_id '\(parentId)' is not a valid category in this file or the warehouse"
                }
            }
            for id in orphans { accepted[id] = nil }
            if cycle.isEmpty && orphans.isEmpty { break }
        }
        for row in rows where accepted[row.id] == nil {
            try rejects.reject(line: row.line, raw: row.raw, reason: reasons[row.id] ?? "rejected")
        }
        let upsert = try BulkStatement(db, sql: """
            INSERT INTO category (category_id, name) VALUES (?, ?) ON CONFLICT (category_id) DO UPDATE SET name = excluded.name
            """)
        let setParent = try BulkStatement(db, sql: """
            UPDATE category SET parent_key = (SELECT category_key FROM category WHERE category_id = ?) WHERE category_id = ?
            """)
        let kept = rows.filter { accepted[$0.id] != nil }
        for row in kept {
            upsert.bind(1, row.id)
            upsert.bind(2, row.name)
            try upsert.execute()
        }
        for row in kept {
            setParent.bind(1, row.parentId)
            setParent.bind(2, row.id)
            try setParent.execute()
        }
        rowsLoaded = kept.count
    }
}
