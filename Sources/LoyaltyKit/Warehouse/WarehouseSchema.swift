import GRDB

/// The migrations of every stage's tables, in the order stages were added. A migration, once
/// released, is never edited: a change is a new migration, so existing warehouses upgrade in place.
enum WarehouseSchema {
    static var migrator: DatabaseMigrator { migrator(phoneRules: PhoneRules()) }

    /// - Parameter phoneRules: the pipeline's `ingest.phone_*`, for the upgrade that validates the
    ///   addresses a warehouse already holds.
    static func migrator(phoneRules: PhoneRules) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-run-ledger", migrate: { db in try RunLedgerSchema.create(db) })
        migrator.registerMigration("v1-ingest", migrate: { db in try IngestSchema.create(db) })
        migrator.registerMigration("v1-segment", migrate: { db in try SegmentSchema.create(db) })
        migrator.registerMigration("v1-enrich", migrate: { db in try EnrichSchema.create(db) })
        migrator.registerMigration("v1-pairs", migrate: { db in try PairsSchema.create(db) })
        migrator.registerMigration("v1-offers", migrate: { db in try OffersSchema.create(db) })
        migrator.registerMigration("v2-offers-slim", migrate: { db in try OffersSchema.slimOffers(db) })
        migrator.registerMigration("v3-offer-outcome", migrate: { db in try OfferOutcomeSchema.create(db) })
        migrator.registerMigration("v3-offer-run-maker", migrate: { db in
            try OffersSchema.recordMaker(db)
            try OfferOutcomeSchema.recordMaker(db)
        })
        migrator.registerMigration("v3-segment-migration", migrate: { db in try SegmentSchema.keepMigration(db) })
        migrator.registerMigration("v4-contacts", migrate: { db in
            try ContactSchema.create(db, phoneRules: phoneRules)
            try OffersSchema.openChannels(db)
        })
        migrator.registerMigration("v5-aggregates", migrate: { db in try AggregateSchema.create(db) })
        migrator.registerMigration("v6-aggregates-publish", migrate: { db in try AggregateSchema.addPublishTables(db) })
        migrator.registerMigration("v7-aggregates-category-pairs", migrate: { db in try AggregateSchema.addCategoryPairs(db) })
        migrator.registerMigration("v8-aggregates-repeat-spend", migrate: { db in try AggregateSchema.addRepeatSpend(db) })
        migrator.registerMigration("v9-customer-value", migrate: { db in try ValueSchema.create(db) })
        migrator.registerMigration("v10-backtest", migrate: { db in try BacktestSchema.create(db) })
        return migrator
    }
}

/// `run` and `stage_run`: what ran, when, with which settings, and how it ended.
enum RunLedgerSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run (
                run_key INTEGER PRIMARY KEY,
                command TEXT NOT NULL,
                as_of TEXT NOT NULL,
                config_digest TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
                message TEXT
            );
            CREATE TABLE stage_run (
                run_key INTEGER NOT NULL REFERENCES run(run_key) ON DELETE CASCADE,
                stage TEXT NOT NULL,
                started_at TEXT NOT NULL,
                seconds REAL,
                status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
                rows_written INTEGER,
                message TEXT,
                PRIMARY KEY (run_key, stage)
            );
            """)
    }
}
