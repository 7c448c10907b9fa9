import GRDB

/// A rule a stage's output table must satisfy, declared as data next to the stage (as dbt declares
/// tests next to models) and verified inside the stage's transaction before it commits.
public struct TableCheck: Sendable {
    public let name: String
    /// Selects one text description per violating row.
    let violationsSQL: String

    public init(name: String, violationsSQL: String) {
        self.name = name
        self.violationsSQL = violationsSQL
    }

    public static func unique(_ table: String, _ columns: [String]) -> TableCheck {
        let list = columns.joined(separator: ", ")
        return TableCheck(
            name: "unique \(table)(\(list))",
            violationsSQL: "SELECT \(columns.map { "quote(\($0))" }.joined(separator: " || ',' || ")) FROM \(table) GROUP BY \(list) HAVING COUNT(*) > 1")
    }

    public static func notNull(_ table: String, _ column: String) -> TableCheck {
        TableCheck(name: "not null \(table).\(column)", violationsSQL: "SELECT 'rowid ' || rowid FROM \(table) WHERE \(column) IS NULL")
    }

    public static func references(_ table: String, _ column: String, _ parent: String, _ parentColumn: String) -> TableCheck {
        TableCheck(
            name: "\(table).\(column) references \(parent).\(parentColumn)",
            violationsSQL: """
                SELECT quote(t.\(column)) FROM \(table) t
                WHERE t.\(column) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(parent) p WHERE p.\(parentColumn) = t.\(column))
                """)
    }

    public static func acceptedValues(_ table: String, _ column: String, _ values: [String]) -> TableCheck {
        let list = values.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
        return TableCheck(
            name: "\(table).\(column) in (\(values.joined(separator: ", ")))",
            violationsSQL: "SELECT quote(\(column)) FROM \(table) WHERE \(column) NOT IN (\(list))")
    }

    /// Rows of `table` for which `condition` does not hold.
    public static func holds(_ table: String, _ condition: String, describe: String = "rowid") -> TableCheck {
        TableCheck(name: "\(table): \(condition)", violationsSQL: "SELECT \(describe) FROM \(table) WHERE NOT (\(condition))")
    }

    /// - Throws: `LoyaltyError.checkFailed` with the count and one example of the violations.
    public func verify(_ db: Database, stage: String) throws {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(violationsSQL))") ?? 0
        guard count > 0 else { return }
        let example = try String.fetchOne(db, sql: "\(violationsSQL) LIMIT 1") ?? "?"
        throw LoyaltyError.checkFailed(stage: stage, check: name, violations: count, example: example)
    }
}
