import GRDB
import Testing
@testable import LoyaltyKit

/// `segment_migration` keeps each night's moves for the reports; a warehouse made before it gets
/// its latest night's moves on upgrade.
@Suite struct SegmentMigrationTableTests {
    @Test func theUpgradeFillsInTheLatestNight() throws {
        let path = try temporaryFolder() + "/old.sqlite"
        let old = try DatabaseQueue(path: path)
        try WarehouseSchema.migrator.migrate(old, upTo: "v3-offer-outcome")
        try old.write { db in
            try db.execute(sql: "INSERT INTO customer (customer_key, customer_id) VALUES (1, 'C1'), (2, 'C2'), (3, 'C3')")
            // 11-07: C1 Lost, C2 Lost. 11-14: C1 Champions, C3 Lost (C2 gone, C3 new).
            try db.execute(sql: """
                INSERT INTO segment_membership (as_of, customer_key, segment) VALUES
                ('2026-11-07', 1, 'Lost'), ('2026-11-07', 2, 'Lost'), ('2026-11-14', 1, 'Champions'), ('2026-11-14', 3, 'Lost')
                """)
        }
        try old.close()

        let warehouse = try Warehouse(path: path)
        let rows = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT as_of, previous_as_of, from_segment, to_segment, customers FROM segment_migration ORDER BY 3, 4")
        }
        #expect(rows.map { [$0[0], $0[1], $0[2], $0[3]] as [String] } == [
            ["2026-11-14", "2026-11-07", "(new)", "Lost"], ["2026-11-14", "2026-11-07", "Lost", "(gone)"],
            ["2026-11-14", "2026-11-07", "Lost", "Champions"],
        ])
        #expect(rows.allSatisfy { ($0[4] as Int) == 1 })
    }

    @Test func eachSegmentRunKeepsItsMoves() throws {
        let root = try temporaryFolder()
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-07")
        let warehouse = try Warehouse(path: root + "/warehouse.sqlite")
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM segment_migration") == 0)
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-21")
        // The table holds exactly segment_migration.csv's rows, and every customer of either night once.
        let csv = try readCSV(root + "/out/segment_migration.csv").dropFirst()
        let table = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT from_segment, to_segment, customers FROM segment_migration WHERE as_of = '2026-11-21' ORDER BY 1, 2")
                .map { [$0[0], $0[1], String($0[2] as Int)] as [String] }
        }
        #expect(table == Array(csv))
        #expect(try scalar(warehouse, "SELECT SUM(customers) FROM segment_migration WHERE to_segment <> '(gone)'")
            == scalar(warehouse, "SELECT COUNT(*) FROM segment_membership WHERE as_of = '2026-11-21'"))
        #expect(try scalar(warehouse, "SELECT COUNT(DISTINCT previous_as_of) FROM segment_migration") == 1)

        // Segmenting a night in between makes it the later night's previous one.
        try runPipeline(input: fixture("demo"), root: root, asOf: "2026-11-14", selection: .only("segment"))
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM segment_migration WHERE as_of = '2026-11-21' AND previous_as_of <> '2026-11-14'") == 0)
        #expect(try scalar(warehouse, "SELECT COUNT(*) FROM segment_migration WHERE as_of = '2026-11-14' AND previous_as_of = '2026-11-07'") > 0)
    }

    /// The merge of two nights counts what a SQL join of them counts, on random nights with
    /// customers new, gone and moved, and segment names ordered by their bytes (é after z).
    @Test func migrationCountsMatchTheSQLJoin() throws {
        let warehouse = try Warehouse(path: try temporaryFolder() + "/w.sqlite")
        var random = SplitMix64(seed: 11)
        let names = ["Lost", "Champions", "Été", "zeta", "(new)x"]
        try warehouse.database.write { db in
            for key in 1...400 { try db.execute(sql: "INSERT INTO customer (customer_key, customer_id) VALUES (?, ?)", arguments: [key, "C\(key)"]) }
            for night in ["2026-11-07", "2026-11-14"] {
                for key in 1...400 where random.next() % 4 != 0 {
                    try db.execute(sql: "INSERT INTO segment_membership (as_of, customer_key, segment) VALUES (?, ?, ?)",
                                   arguments: [night, key, names[Int(random.next() % UInt64(names.count))]])
                }
            }
        }
        let (merged, joined) = try warehouse.database.read { db in
            (try SegmentHistory.count(db, from: "2026-11-07", to: "2026-11-14"),
             try Row.fetchAll(db, sql: """
                SELECT COALESCE(p.segment, '(new)'), n.segment, COUNT(*) FROM segment_membership n
                LEFT JOIN segment_membership p ON p.as_of = '2026-11-07' AND p.customer_key = n.customer_key
                WHERE n.as_of = '2026-11-14' GROUP BY 1, 2
                UNION ALL
                SELECT p.segment, '(gone)', COUNT(*) FROM segment_membership p
                WHERE p.as_of = '2026-11-07' AND NOT EXISTS (SELECT 1 FROM segment_membership n WHERE n.as_of = '2026-11-14' AND n.customer_key = p.customer_key)
                GROUP BY 1 ORDER BY 1, 2
                """))
        }
        #expect(merged.map { [$0.from, $0.to, String($0.customers)] } == joined.map { [$0[0], $0[1], String($0[2] as Int)] as [String] })
        #expect(merged.contains { $0.from == "(new)" } && merged.contains { $0.to == "(gone)" })
        // Each customer of either night is counted once.
        #expect(merged.reduce(0) { $0 + $1.customers } == (try scalar(warehouse, "SELECT COUNT(DISTINCT customer_key) FROM segment_membership")))
    }
}
