import GRDB

/// `loyalty verify`: compares each maintained aggregate table with its reference definition run
/// afresh over the order lines, row by row.
public enum AggregateVerification {
    public struct Difference: Equatable, Sendable {
        public let table: String
        /// Rows only in the maintained table, and only in the reference.
        public let maintainedOnly: Int
        public let referenceOnly: Int
        /// A few of the differing rows, as `column=value` lists, for the operator.
        public let examples: [String]
    }

    /// - Returns: one entry per table that differs (none: the aggregates are right), or nil when
    ///   the aggregates were never built.
    public static func run(_ warehouse: Warehouse, examples: Int = 5) throws -> (window: FiguresWindow, differences: [Difference])? {
        try warehouse.database.inDatabase { db in
            do {
                guard let state = try AggregateMaintenance.state(db) else { return nil }
                try AggregateFunctions.install(db, timezone: state.timezone)
                var differences: [Difference] = []
                for table in AggregateDefinitions.tables {
                    let columns = table.columns.joined(separator: ", ")
                    let maintained = "SELECT \(columns) FROM \(table.name)"
                    let reference = "SELECT \(columns) FROM (\(table.reference(state.window, .sqlite)))"
                    let only = { (a: String, b: String) -> (Int, [String]) in
                        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(a) EXCEPT \(b))") ?? 0
                        let rows = count == 0 ? [] : try Row.fetchAll(db, sql: "\(a) EXCEPT \(b) LIMIT \(examples)").map { row in
                            zip(table.columns, row.databaseValues).map { "\($0)=\($1)" }.joined(separator: " ")
                        }
                        return (count, rows)
                    }
                    let (extra, extraRows) = try only(maintained, reference)
                    let (missing, missingRows) = try only(reference, maintained)
                    if extra > 0 || missing > 0 {
                        differences.append(Difference(table: table.name, maintainedOnly: extra, referenceOnly: missing,
                                                      examples: extraRows.map { "maintained: \($0)" } + missingRows.map { "reference:  \($0)" }))
                    }
                }
                return (state.window, differences)
            } catch let error as DatabaseError {
                throw LoyaltyError.warehouse(message: "verify: \(error.message ?? "\(error)")")
            }
        }
    }
}
