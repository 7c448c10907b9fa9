import GRDB

/// Tables owned by the pairs stage: product and category pairs with their rule metrics, and each
/// product's best partners (what a web shop's "bought together" widget and the offers stage read).
enum PairsSchema {
    static func create(_ db: Database) throws {
        let metrics = """
            orders_together INTEGER NOT NULL,
            support REAL NOT NULL,
            confidence_a_b REAL NOT NULL,
            confidence_b_a REAL NOT NULL,
            lift REAL NOT NULL,
            leverage REAL NOT NULL,
            conviction_a_b REAL,
            conviction_b_a REAL,
            jaccard REAL NOT NULL,
            kulczynski REAL NOT NULL
            """
        try db.execute(sql: """
            CREATE TABLE product_pair (
                product_a_key INTEGER NOT NULL REFERENCES product(product_key),
                product_b_key INTEGER NOT NULL REFERENCES product(product_key),
                as_of TEXT NOT NULL,
                \(metrics),
                PRIMARY KEY (product_a_key, product_b_key)
            ) WITHOUT ROWID;
            CREATE TABLE category_pair (
                category_a_key INTEGER NOT NULL REFERENCES category(category_key),
                category_b_key INTEGER NOT NULL REFERENCES category(category_key),
                as_of TEXT NOT NULL,
                \(metrics),
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
            """)
    }
}
