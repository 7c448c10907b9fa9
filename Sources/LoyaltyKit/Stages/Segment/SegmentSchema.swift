import GRDB

/// Tables owned by the segment stage: the latest RFM figures per customer, segment and cluster
/// membership per `as_of` (the history migration and retention read), thresholds and clusters.
enum SegmentSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE customer_rfm (
                customer_key INTEGER PRIMARY KEY REFERENCES customer(customer_key),
                as_of TEXT NOT NULL,
                recency_days INTEGER,
                frequency INTEGER NOT NULL,
                monetary_minor INTEGER NOT NULL,
                activity_coefficient REAL,
                r_score INTEGER,
                f_score INTEGER,
                m_score INTEGER,
                segment TEXT NOT NULL,
                cluster INTEGER,
                first_order_at INTEGER,
                last_order_at INTEGER
            );
            CREATE TABLE segment_membership (
                as_of TEXT NOT NULL,
                customer_key INTEGER NOT NULL REFERENCES customer(customer_key),
                segment TEXT NOT NULL,
                cluster INTEGER,
                PRIMARY KEY (as_of, customer_key)
            ) WITHOUT ROWID;
            CREATE TABLE segment_threshold (
                as_of TEXT NOT NULL,
                dimension TEXT NOT NULL CHECK (dimension IN ('recency', 'frequency', 'monetary')),
                score INTEGER NOT NULL,
                lower REAL NOT NULL,
                upper REAL NOT NULL,
                customers INTEGER NOT NULL,
                PRIMARY KEY (as_of, dimension, score)
            );
            CREATE TABLE cluster_profile (
                as_of TEXT NOT NULL,
                cluster INTEGER NOT NULL,
                label TEXT NOT NULL,
                customers INTEGER NOT NULL,
                centroid_recency_days REAL NOT NULL,
                centroid_frequency REAL NOT NULL,
                centroid_monetary REAL NOT NULL,
                inertia_share REAL NOT NULL,
                PRIMARY KEY (as_of, cluster)
            );
            """)
    }

    /// How customers moved between segments, per as_of against the as_of before it: what
    /// segment_migration.csv lists, kept so the reports read a few rows instead of joining two
    /// nights of a million memberships. The latest night of an existing warehouse is filled in.
    static func keepMigration(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE segment_migration (
                as_of TEXT NOT NULL,
                previous_as_of TEXT NOT NULL,
                from_segment TEXT NOT NULL,
                to_segment TEXT NOT NULL,
                customers INTEGER NOT NULL CHECK (customers > 0),
                PRIMARY KEY (as_of, from_segment, to_segment)
            ) WITHOUT ROWID;
            """)
        guard let latest = try String.fetchOne(db, sql: "SELECT MAX(as_of) FROM segment_membership") else { return }
        _ = try SegmentHistory.migration(db, asOf: latest)
    }
}
