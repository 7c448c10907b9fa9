import GRDB

/// Tables owned by ingest: the load ledger, rejects, and the staging copy of every contract input.
///
/// Integer surrogate keys join the facts; the external ids stay unique in the dimension tables and
/// appear in every output. Money columns end in `_minor`: exact integers of 1/10,000 of the
/// currency unit. Timestamps are UTC seconds since the epoch; dates are ISO text.
enum IngestSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE load (
                load_key INTEGER PRIMARY KEY,
                run_key INTEGER REFERENCES run(run_key) ON DELETE SET NULL,
                entity TEXT NOT NULL,
                path TEXT NOT NULL,
                format TEXT NOT NULL,
                checksum_sha256 TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                rows_loaded INTEGER NOT NULL,
                rows_rejected INTEGER NOT NULL,
                seconds REAL NOT NULL,
                loaded_at TEXT NOT NULL
            );
            CREATE TABLE reject (
                reject_key INTEGER PRIMARY KEY,
                load_key INTEGER NOT NULL REFERENCES load(load_key) ON DELETE CASCADE,
                file TEXT NOT NULL,
                line INTEGER NOT NULL,
                reason TEXT NOT NULL,
                raw TEXT NOT NULL
            );
            CREATE INDEX reject_by_load ON reject(load_key);

            CREATE TABLE category (
                category_key INTEGER PRIMARY KEY,
                category_id TEXT NOT NULL UNIQUE,
                parent_key INTEGER REFERENCES category(category_key),
                name TEXT NOT NULL
            );
            CREATE TABLE product (
                product_key INTEGER PRIMARY KEY,
                product_id TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                category_key INTEGER REFERENCES category(category_key),
                brand TEXT,
                price_minor INTEGER NOT NULL,
                cost_minor INTEGER,
                launched_on TEXT,
                active INTEGER NOT NULL CHECK (active IN (0, 1))
            );
            CREATE TABLE product_attribute (
                product_key INTEGER NOT NULL REFERENCES product(product_key),
                attribute TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (product_key, attribute, value)
            ) WITHOUT ROWID;
            CREATE TABLE customer (
                customer_key INTEGER PRIMARY KEY,
                customer_id TEXT NOT NULL UNIQUE,
                email TEXT,
                phone TEXT,
                first_name TEXT,
                birth_date TEXT,
                city TEXT,
                region TEXT,
                signup_date TEXT,
                consent_email INTEGER NOT NULL DEFAULT 0 CHECK (consent_email IN (0, 1)),
                consent_sms INTEGER NOT NULL DEFAULT 0 CHECK (consent_sms IN (0, 1)),
                consent_push INTEGER NOT NULL DEFAULT 0 CHECK (consent_push IN (0, 1)),
                registered INTEGER NOT NULL DEFAULT 0 CHECK (registered IN (0, 1))
            );
            CREATE TABLE sales_order (
                order_key INTEGER PRIMARY KEY,
                order_id TEXT NOT NULL UNIQUE,
                customer_key INTEGER REFERENCES customer(customer_key),
                ordered_at INTEGER NOT NULL,
                store_id TEXT,
                channel TEXT
            );
            CREATE TABLE order_line (
                order_key INTEGER NOT NULL REFERENCES sales_order(order_key),
                product_key INTEGER NOT NULL REFERENCES product(product_key),
                line_no INTEGER NOT NULL,
                customer_key INTEGER REFERENCES customer(customer_key),
                ordered_at INTEGER NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity <> 0),
                unit_price_minor INTEGER NOT NULL,
                discount_minor INTEGER NOT NULL,
                amount_minor INTEGER NOT NULL,
                bonus_earned_minor INTEGER,
                bonus_spent_minor INTEGER,
                PRIMARY KEY (order_key, product_key, line_no)
            ) WITHOUT ROWID;
            CREATE TABLE offer_event (
                offer_id TEXT NOT NULL,
                customer_key INTEGER NOT NULL REFERENCES customer(customer_key),
                event TEXT NOT NULL CHECK (event IN ('delivered', 'opened', 'clicked', 'redeemed', 'unsubscribed')),
                at INTEGER NOT NULL,
                order_id TEXT,
                PRIMARY KEY (offer_id, customer_key, event, at)
            ) WITHOUT ROWID;
            """)
    }
}
