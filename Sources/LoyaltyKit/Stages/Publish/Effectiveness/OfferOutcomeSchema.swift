import GRDB

/// Tables owned by the publish stage: what each night's offers achieved, measured once when their
/// attribution window has closed. A night's offers are a million customers at scale; keeping the
/// sums (not the customers) lets the report pool months of nights without reading them again.
enum OfferOutcomeSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE offer_outcome_run (
                as_of TEXT NOT NULL,
                attribution_days INTEGER NOT NULL CHECK (attribution_days >= 1),
                window_from TEXT NOT NULL,
                window_to TEXT NOT NULL,
                offers INTEGER NOT NULL,
                offered_customers INTEGER NOT NULL,
                control_customers INTEGER NOT NULL,
                holdout_share REAL,
                control_delivered_customers INTEGER NOT NULL,
                PRIMARY KEY (as_of, attribution_days)
            ) WITHOUT ROWID;
            CREATE TABLE offer_outcome (
                as_of TEXT NOT NULL,
                attribution_days INTEGER NOT NULL,
                offer_type TEXT NOT NULL,
                segment TEXT NOT NULL,
                holdout INTEGER NOT NULL CHECK (holdout IN (0, 1)),
                units INTEGER NOT NULL CHECK (units > 0),
                converted_offered INTEGER NOT NULL CHECK (converted_offered BETWEEN 0 AND units),
                converted_any INTEGER NOT NULL CHECK (converted_any BETWEEN 0 AND units),
                revenue_minor INTEGER NOT NULL,
                revenue_squares REAL NOT NULL,
                margin_minor INTEGER NOT NULL,
                discount_cost_minor INTEGER NOT NULL CHECK (discount_cost_minor >= 0),
                PRIMARY KEY (as_of, attribution_days, offer_type, segment, holdout),
                FOREIGN KEY (as_of, attribution_days) REFERENCES offer_outcome_run(as_of, attribution_days) ON DELETE CASCADE
            ) WITHOUT ROWID;
            """)
    }

    /// The run that made the measured night's offers (`offer_run.made_by_run` when measured).
    static func recordMaker(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE offer_outcome_run ADD COLUMN made_by_run INTEGER")
    }
}
