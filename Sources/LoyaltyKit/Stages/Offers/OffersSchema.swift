import GRDB

/// Tables owned by the offers stage. `offer` keeps every run's offers by as_of (the history that
/// cool-down and contact caps read, and what `loyalty explain` shows); `offer_run` says what
/// held for a whole night (validity, the control group's configured share); `offer_drop` counts
/// the candidates each rule dropped.
enum OffersSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE offer (
                offer_key INTEGER PRIMARY KEY,
                as_of TEXT NOT NULL,
                offer_id TEXT NOT NULL,
                customer_key INTEGER NOT NULL REFERENCES customer(customer_key),
                rank INTEGER NOT NULL,
                offer_type TEXT NOT NULL,
                product_key INTEGER REFERENCES product(product_key),
                category_key INTEGER REFERENCES category(category_key),
                channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
                score REAL NOT NULL,
                expected_value_minor INTEGER NOT NULL,
                discount_pct INTEGER NOT NULL,
                reason TEXT NOT NULL,
                valid_from TEXT NOT NULL,
                valid_to TEXT NOT NULL,
                holdout INTEGER NOT NULL CHECK (holdout IN (0, 1)),
                UNIQUE (as_of, offer_id)
            );
            CREATE TABLE offer_drop (
                as_of TEXT NOT NULL,
                reason TEXT NOT NULL,
                offer_type TEXT NOT NULL,
                candidates INTEGER NOT NULL,
                PRIMARY KEY (as_of, reason, offer_type)
            ) WITHOUT ROWID;
            """)
    }

    /// The offer rows lose their texts: the reason and the validity dates were two thirds of each
    /// row, a million customers' night took 12 s to insert and as long to delete on a rerun, and
    /// `loyalty explain` recomputes the reason as it does the evidence. The validity moves to one
    /// `offer_run` row per night, with the configured control-group share (unknown, NULL, for
    /// nights before this migration). Short rows fit a table keyed by (as_of, offer_id) itself:
    /// one b-tree instead of a table and an index, a third smaller, and a rerun's delete is twice
    /// as fast. A night's rows are inserted in key order, so they append.
    static func slimOffers(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE offer_run (
                as_of TEXT PRIMARY KEY,
                valid_from TEXT NOT NULL,
                valid_to TEXT NOT NULL,
                holdout_share REAL,
                offers INTEGER NOT NULL,
                control_customers INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO offer_run (as_of, valid_from, valid_to, holdout_share, offers, control_customers)
                SELECT as_of, MIN(valid_from), MAX(valid_to), NULL, COUNT(*), COUNT(DISTINCT CASE WHEN holdout = 1 THEN customer_key END)
                FROM offer GROUP BY as_of;
            CREATE TABLE offer_slim (
                as_of TEXT NOT NULL,
                offer_id TEXT NOT NULL,
                customer_key INTEGER NOT NULL REFERENCES customer(customer_key),
                rank INTEGER NOT NULL CHECK (rank >= 1),
                offer_type TEXT NOT NULL,
                product_key INTEGER REFERENCES product(product_key),
                category_key INTEGER REFERENCES category(category_key),
                channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
                score REAL NOT NULL,
                expected_value_minor INTEGER NOT NULL,
                discount_pct INTEGER NOT NULL CHECK (discount_pct BETWEEN 0 AND 90),
                holdout INTEGER NOT NULL CHECK (holdout IN (0, 1)),
                PRIMARY KEY (as_of, offer_id)
            ) WITHOUT ROWID;
            INSERT INTO offer_slim
                SELECT as_of, offer_id, customer_key, rank, offer_type, product_key, category_key, channel, score,
                       expected_value_minor, discount_pct, holdout
                FROM offer ORDER BY as_of, offer_id;
            DROP TABLE offer;
            ALTER TABLE offer_slim RENAME TO offer;
            """)
    }

    /// Which run made each night's offers (the run ledger's run_key; NULL for nights made before
    /// this migration): the offer-effectiveness measurement of a night is redone when its offers
    /// were made again, even by a run that gave the same number of them.
    static func recordMaker(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE offer_run ADD COLUMN made_by_run INTEGER")
    }

    /// Channels are configuration now (`channels:`), so `offer.channel` takes any name. Lifting a
    /// CHECK constraint changes no stored row, so SQLite's documented way for such a change edits
    /// the table's definition in place (https://sqlite.org/lang_altertable.html, "making other kinds
    /// of table schema changes"): rebuilding a table of tens of millions of offers would take minutes.
    static func openChannels(_ db: Database) throws {
        guard let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'offer'") else { return }
        let closed = "CHECK (channel IN ('email', 'sms', 'push'))"
        guard definition.contains(closed) else { return }
        let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        try db.execute(sql: "PRAGMA writable_schema = ON")
        try db.execute(sql: "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'offer'",
                       arguments: [definition.replacingOccurrences(of: closed, with: "CHECK (channel <> '')")])
        try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
        try db.execute(sql: "PRAGMA writable_schema = OFF")
    }
}
