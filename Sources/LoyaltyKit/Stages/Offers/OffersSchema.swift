import GRDB

/// Tables owned by the offers stage. `offer` keeps every run's offers by as_of (the history that
/// cool-down and contact caps read, and what `loyalty explain` shows); `offer_drop` counts the
/// candidates each rule dropped. The evidence text is in offers.csv, not here: it is a third of
/// the bytes, and `loyalty explain` recomputes it. `offer` is a rowid table with a unique
/// (as_of, offer_id) index, not WITHOUT ROWID: its rows are long (the reason), and SQLite
/// inserted them three times slower into a b-tree keyed by text.
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
}
