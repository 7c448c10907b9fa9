import GRDB

/// Tables owned by the pairs stage. The warehouse keeps the counts (sums that a later night can
/// extend from its new orders), and views compute the rule metrics from them exactly as the
/// CSV outputs do; `product_partner` holds each product's best partners (what a web shop's
/// "bought together" widget and the offers stage read).
enum PairsSchema {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE pair_run (
                kind TEXT PRIMARY KEY CHECK (kind IN ('product', 'category')),
                as_of TEXT NOT NULL,
                scope TEXT NOT NULL CHECK (scope IN ('order', 'customer')),
                baskets INTEGER NOT NULL
            );
            CREATE TABLE product_basket_count (
                product_key INTEGER PRIMARY KEY REFERENCES product(product_key),
                baskets INTEGER NOT NULL
            );
            CREATE TABLE category_basket_count (
                category_key INTEGER PRIMARY KEY REFERENCES category(category_key),
                baskets INTEGER NOT NULL
            );
            CREATE TABLE product_pair (
                product_a_key INTEGER NOT NULL REFERENCES product(product_key),
                product_b_key INTEGER NOT NULL REFERENCES product(product_key),
                orders_together INTEGER NOT NULL,
                PRIMARY KEY (product_a_key, product_b_key)
            ) WITHOUT ROWID;
            CREATE TABLE category_pair (
                category_a_key INTEGER NOT NULL REFERENCES category(category_key),
                category_b_key INTEGER NOT NULL REFERENCES category(category_key),
                orders_together INTEGER NOT NULL,
                PRIMARY KEY (category_a_key, category_b_key)
            ) WITHOUT ROWID;
            CREATE TABLE product_partner (
                product_key INTEGER NOT NULL REFERENCES product(product_key),
                rank INTEGER NOT NULL,
                partner_key INTEGER NOT NULL REFERENCES product(product_key),
                orders_together INTEGER NOT NULL,
                confidence REAL NOT NULL,
                lift REAL NOT NULL,
                PRIMARY KEY (product_key, rank)
            ) WITHOUT ROWID;
            \(metricsView("product"))
            \(metricsView("category"))
            """)
    }

    /// The contract's metrics over the counts, with the same floating-point steps as the CSV.
    private static func metricsView(_ kind: String) -> String {
        """
        CREATE VIEW \(kind)_pair_metrics AS
            SELECT p.\(kind)_a_key, p.\(kind)_b_key, p.orders_together,
                   p.orders_together * 1.0 / r.baskets AS support,
                   p.orders_together * 1.0 / ca.baskets AS confidence_a_b,
                   p.orders_together * 1.0 / cb.baskets AS confidence_b_a,
                   (p.orders_together * 1.0 / r.baskets) / ((ca.baskets * 1.0 / r.baskets) * (cb.baskets * 1.0 / r.baskets)) AS lift,
                   (p.orders_together * 1.0 / r.baskets) - (ca.baskets * 1.0 / r.baskets) * (cb.baskets * 1.0 / r.baskets) AS leverage,
                   p.orders_together * 1.0 / (ca.baskets + cb.baskets - p.orders_together) AS jaccard
            FROM \(kind)_pair p
            JOIN pair_run r ON r.kind = '\(kind)'
            JOIN \(kind)_basket_count ca ON ca.\(kind)_key = p.\(kind)_a_key
            JOIN \(kind)_basket_count cb ON cb.\(kind)_key = p.\(kind)_b_key;
        """
    }
}
