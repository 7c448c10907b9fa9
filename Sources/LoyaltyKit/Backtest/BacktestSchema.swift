import GRDB

/// The backtest's figures kept in the warehouse, so the report can show the latest: one row per
/// backtest.csv row, and one per backtest (which as_of, horizon, how many customers bought).
enum BacktestSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE backtest_run (
                as_of TEXT NOT NULL,
                horizon_days INTEGER NOT NULL CHECK (horizon_days > 0),
                made_by_run INTEGER NOT NULL REFERENCES run(run_key),
                customers INTEGER NOT NULL,
                customers_with_offers INTEGER NOT NULL,
                buyers INTEGER NOT NULL,
                last_order_day TEXT,
                PRIMARY KEY (as_of, horizon_days)
            );
            CREATE TABLE backtest_result (
                as_of TEXT NOT NULL,
                horizon_days INTEGER NOT NULL,
                offer_type TEXT NOT NULL,
                segment TEXT NOT NULL,
                recommender TEXT NOT NULL,
                k INTEGER NOT NULL,
                customers INTEGER NOT NULL,
                buyers INTEGER NOT NULL,
                precision REAL,
                recall REAL,
                map REAL,
                ndcg REAL,
                hit_rate REAL,
                coverage REAL,
                hits INTEGER NOT NULL,
                hit_revenue_minor INTEGER NOT NULL,
                hit_margin_minor INTEGER NOT NULL,
                PRIMARY KEY (as_of, horizon_days, offer_type, segment, recommender, k),
                FOREIGN KEY (as_of, horizon_days) REFERENCES backtest_run(as_of, horizon_days) ON DELETE CASCADE
            ) WITHOUT ROWID;
            """)
    }
}
