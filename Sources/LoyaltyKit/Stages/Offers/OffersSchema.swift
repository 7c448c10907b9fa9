import GRDB

/// Tables owned by the offers stage. `offer` keeps every run's offers by as_of (the history that
/// cool-down and contact caps read, and what `loyalty explain` shows); `offer_drop` counts the
/// candidates each rule dropped. The evidence text is in offers.csv, not here: it is a third of
/// the bytes, and `loyalty explain` recomputes it.
enum OffersSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE offer (
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
                PRIMARY KEY (as_of, offer_id)
            ) WITHOUT ROWID;
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
