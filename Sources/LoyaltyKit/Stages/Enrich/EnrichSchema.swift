import GRDB

/// Tables owned by enrich: the category tree flattened (every level of every category), a
/// product profile (category path and the attributes later stages use), product facts and the
/// seasonality of categories, plus the `order_line_enriched` view joining lines to all of it.
enum EnrichSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE category_ancestor (
                category_key INTEGER NOT NULL REFERENCES category(category_key),
                level INTEGER NOT NULL,
                ancestor_key INTEGER NOT NULL REFERENCES category(category_key),
                PRIMARY KEY (category_key, level)
            ) WITHOUT ROWID;
            CREATE TABLE category_path (
                category_key INTEGER PRIMARY KEY REFERENCES category(category_key),
                depth INTEGER NOT NULL,
                root_key INTEGER NOT NULL REFERENCES category(category_key),
                path TEXT NOT NULL,
                path_ids TEXT NOT NULL
            );
            CREATE TABLE product_profile (
                product_key INTEGER PRIMARY KEY REFERENCES product(product_key),
                category_key INTEGER REFERENCES category(category_key),
                root_category_key INTEGER REFERENCES category(category_key),
                category_path TEXT,
                tags TEXT,
                season TEXT,
                replenish_days_attribute INTEGER,
                premium INTEGER NOT NULL CHECK (premium IN (0, 1))
            );
            CREATE TABLE product_fact (
                product_key INTEGER PRIMARY KEY REFERENCES product(product_key),
                as_of TEXT NOT NULL,
                units INTEGER NOT NULL,
                revenue_minor INTEGER NOT NULL,
                orders INTEGER NOT NULL,
                buyers INTEGER NOT NULL,
                repeat_buyers INTEGER NOT NULL,
                repeat_rate REAL,
                bestseller_rank INTEGER,
                category_rank INTEGER,
                is_new INTEGER NOT NULL CHECK (is_new IN (0, 1)),
                replenish_days REAL,
                replenish_source TEXT CHECK (replenish_source IN ('attribute', 'observed'))
            );
            CREATE TABLE category_seasonality (
                category_key INTEGER NOT NULL REFERENCES category(category_key),
                month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
                as_of TEXT NOT NULL,
                revenue_minor INTEGER NOT NULL,
                seasonality_index REAL,
                PRIMARY KEY (category_key, month)
            );
            CREATE VIEW order_line_enriched AS
                SELECT l.*, pp.category_key, pp.root_category_key, pp.category_path, pp.tags, pp.season, pp.premium,
                       pp.replenish_days_attribute
                FROM order_line l JOIN product_profile pp USING (product_key);
            """)
    }
}
