import GRDB

/// The aggregation layer's tables: what every stage after ingest reads instead of order lines.
///
/// `agg_order` summarises every order of the warehouse (all history); the other `agg_` tables
/// hold the figures window recorded in `aggregate_state`. What each column means is written once,
/// as SQL over order lines, in `AggregateDefinitions`. Loads leave a trail (`aggregate_pending_order`,
/// `aggregate_replaced_line`, `aggregate_state.new_orders_from`) that maintenance consumes.
enum AggregateSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE aggregate_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                definitions INTEGER NOT NULL,
                timezone TEXT NOT NULL,
                window_from INTEGER,
                window_until INTEGER NOT NULL,
                new_orders_from INTEGER NOT NULL,
                maintained_at TEXT NOT NULL
            );
            CREATE TABLE aggregate_pending_order (order_key INTEGER PRIMARY KEY);
            CREATE TABLE aggregate_replaced_line (
                order_key INTEGER NOT NULL,
                product_key INTEGER NOT NULL,
                line_no INTEGER NOT NULL,
                customer_key INTEGER,
                ordered_at INTEGER NOT NULL,
                quantity INTEGER NOT NULL,
                amount_minor INTEGER NOT NULL,
                bonus_earned_minor INTEGER,
                bonus_spent_minor INTEGER,
                PRIMARY KEY (order_key, product_key, line_no)
            ) WITHOUT ROWID;

            CREATE TABLE agg_order (
                order_key INTEGER PRIMARY KEY,
                customer_key INTEGER,
                ordered_at INTEGER NOT NULL,
                day INTEGER NOT NULL,
                hour INTEGER NOT NULL,
                net_minor INTEGER NOT NULL,
                units INTEGER NOT NULL,
                basket_products INTEGER NOT NULL,
                bonus_earned_minor INTEGER NOT NULL,
                bonus_spent_minor INTEGER NOT NULL
            );
            CREATE INDEX agg_order_by_customer ON agg_order(customer_key);
            CREATE INDEX agg_order_by_time ON agg_order(ordered_at);

            CREATE TABLE agg_total (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                orders INTEGER NOT NULL,
                paid_orders INTEGER NOT NULL,
                baskets INTEGER NOT NULL,
                revenue_minor INTEGER NOT NULL,
                bonus_earned_minor INTEGER NOT NULL,
                bonus_spent_minor INTEGER NOT NULL
            );
            CREATE TABLE agg_customer (
                customer_key INTEGER PRIMARY KEY,
                orders INTEGER NOT NULL,
                net_minor INTEGER NOT NULL,
                first_purchase_at INTEGER,
                last_purchase_at INTEGER,
                active_days INTEGER NOT NULL
            );
            CREATE TABLE agg_customer_product (
                customer_key INTEGER NOT NULL,
                product_key INTEGER NOT NULL,
                purchase_days INTEGER NOT NULL,
                units INTEGER NOT NULL,
                spent_minor INTEGER NOT NULL,
                first_day INTEGER NOT NULL,
                last_day INTEGER NOT NULL,
                days TEXT NOT NULL,
                PRIMARY KEY (customer_key, product_key)
            ) WITHOUT ROWID;
            CREATE TABLE agg_product (
                product_key INTEGER PRIMARY KEY,
                lines INTEGER NOT NULL,
                units INTEGER NOT NULL,
                revenue_minor INTEGER NOT NULL,
                orders INTEGER NOT NULL,
                buyers INTEGER NOT NULL,
                repeat_buyers INTEGER NOT NULL
            );
            CREATE TABLE agg_product_month (
                product_key INTEGER NOT NULL,
                month INTEGER NOT NULL,
                lines INTEGER NOT NULL,
                units INTEGER NOT NULL,
                revenue_minor INTEGER NOT NULL,
                PRIMARY KEY (product_key, month)
            ) WITHOUT ROWID;
            CREATE TABLE agg_product_gap (
                product_key INTEGER NOT NULL,
                gap_days INTEGER NOT NULL,
                gaps INTEGER NOT NULL,
                PRIMARY KEY (product_key, gap_days)
            ) WITHOUT ROWID;
            CREATE TABLE agg_product_pair (
                product_a_key INTEGER NOT NULL,
                product_b_key INTEGER NOT NULL,
                orders INTEGER NOT NULL,
                PRIMARY KEY (product_a_key, product_b_key)
            ) WITHOUT ROWID;
            """)
    }

    /// What publish reads: customers' months and weekday hours with a purchase, categories by
    /// month (by each product's own category, recorded as `category_map`), and the amounts of the
    /// orders each product was bought in.
    static func addPublishTables(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE aggregate_state ADD COLUMN category_map TEXT;
            ALTER TABLE agg_product ADD COLUMN basket_amount_minor INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE agg_customer_month (
                customer_key INTEGER NOT NULL,
                month INTEGER NOT NULL,
                paid_orders INTEGER NOT NULL,
                PRIMARY KEY (customer_key, month)
            ) WITHOUT ROWID;
            CREATE TABLE agg_customer_hour (
                customer_key INTEGER NOT NULL,
                weekday_hour INTEGER NOT NULL,
                paid_orders INTEGER NOT NULL,
                PRIMARY KEY (customer_key, weekday_hour)
            ) WITHOUT ROWID;
            CREATE TABLE agg_category_month (
                category_key INTEGER NOT NULL,
                month INTEGER NOT NULL,
                lines INTEGER NOT NULL,
                units INTEGER NOT NULL,
                revenue_minor INTEGER NOT NULL,
                paid_orders INTEGER NOT NULL,
                PRIMARY KEY (category_key, month)
            ) WITHOUT ROWID;
            """)
    }

    /// Customer value's spend per repeat purchase day. Definitions version 4 rebuilds the column.
    static func addRepeatSpend(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE agg_customer ADD COLUMN repeat_net_minor INTEGER NOT NULL DEFAULT 0")
    }

    /// Category pairs: baskets by each product's own category (the pairs stage's default level).
    static func addCategoryPairs(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE agg_category_basket (
                category_key INTEGER PRIMARY KEY,
                baskets INTEGER NOT NULL
            );
            CREATE TABLE agg_category_pair (
                category_a_key INTEGER NOT NULL,
                category_b_key INTEGER NOT NULL,
                orders INTEGER NOT NULL,
                PRIMARY KEY (category_a_key, category_b_key)
            ) WITHOUT ROWID;
            """)
    }
}
