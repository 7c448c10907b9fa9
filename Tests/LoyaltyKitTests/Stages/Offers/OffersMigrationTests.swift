import GRDB
import Testing
@testable import LoyaltyKit

/// A warehouse made before the slim offer table keeps its offer history through the upgrade.
@Suite struct OffersMigrationTests {
    @Test func v1OfferRowsMoveToTheSlimTableAndOneRunRowPerNight() throws {
        let path = try temporaryFolder() + "/old.sqlite"
        let old = try DatabaseQueue(path: path)
        try WarehouseSchema.migrator.migrate(old, upTo: "v1-offers")
        try old.write { db in
            try db.execute(sql: "INSERT INTO customer (customer_key, customer_id) VALUES (1, 'C1'), (2, 'C2')")
            try db.execute(sql: """
                INSERT INTO offer (as_of, offer_id, customer_key, rank, offer_type, product_key, category_key, channel, score,
                                   expected_value_minor, discount_pct, reason, valid_from, valid_to, holdout) VALUES
                ('2026-11-20', 'OF-00000000000000b2', 1, 1, 'birthday', NULL, NULL, 'email', 1.5, 15000, 10, 'Happy birthday', '2026-11-21', '2026-12-04', 0),
                ('2026-11-20', 'OF-00000000000000a1', 2, 1, 'welcome', NULL, NULL, 'sms', 0.5, 5000, 0, 'Welcome', '2026-11-21', '2026-12-04', 1),
                ('2026-11-20', 'OF-00000000000000a3', 2, 2, 'segment_bonus', NULL, NULL, 'sms', 0.25, 2500, 0, 'Bonus', '2026-11-21', '2026-12-04', 1),
                ('2026-11-21', 'OF-00000000000000c4', 1, 1, 'birthday', NULL, NULL, 'push', 1.25, 12500, 10, 'Happy birthday', '2026-11-22', '2026-12-05', 0)
                """)
        }
        try old.close()

        let warehouse = try Warehouse(path: path)
        let runs = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT as_of, valid_from, valid_to, holdout_share, offers, control_customers FROM offer_run ORDER BY as_of")
        }
        #expect(runs.map { "\($0[0] as String) \($0[1] as String)…\($0[2] as String) \(($0[3] as Double?).map { "\($0)" } ?? "NULL") \($0[4] as Int) \($0[5] as Int)" } == [
            "2026-11-20 2026-11-21…2026-12-04 NULL 3 1", "2026-11-21 2026-11-22…2026-12-05 NULL 1 0",
        ])
        let offers = try warehouse.database.read { db in
            try Row.fetchAll(db, sql: "SELECT as_of, offer_id, customer_key, rank, offer_type, channel, score, expected_value_minor, discount_pct, holdout FROM offer")
        }
        // Keyed by (as_of, offer_id): read back in that order, every figure kept.
        #expect(offers.map { "\($0[0] as String) \($0[1] as String) \($0[2] as Int) \($0[3] as Int) \($0[4] as String) \($0[5] as String) \($0[6] as Double) \($0[7] as Int) \($0[8] as Int) \($0[9] as Int)" } == [
            "2026-11-20 OF-00000000000000a1 2 1 welcome sms 0.5 5000 0 1",
            "2026-11-20 OF-00000000000000a3 2 2 segment_bonus sms 0.25 2500 0 1",
            "2026-11-20 OF-00000000000000b2 1 1 birthday email 1.5 15000 10 0",
            "2026-11-21 OF-00000000000000c4 1 1 birthday push 1.25 12500 10 0",
        ])
        let columns = try warehouse.database.read { db in try db.columns(in: "offer").map(\.name) }
        #expect(!columns.contains("reason") && !columns.contains("valid_to"))
    }
}
