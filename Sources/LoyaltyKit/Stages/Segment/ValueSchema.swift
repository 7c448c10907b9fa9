import GRDB

/// Customer value per as_of: each customer's figures and the fitted models (the segment stage
/// writes them; offers, explain and publish read the latest).
enum ValueSchema {
    /// SQL for the as_of the latest segment figures are for: the readers of customer_value take
    /// its rows of that night, so value and RFM figures always belong together.
    static let figuresAsOf = "(SELECT as_of FROM customer_rfm LIMIT 1)"

    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE customer_value (
                as_of TEXT NOT NULL,
                customer_key INTEGER NOT NULL REFERENCES customer(customer_key),
                repeat_purchases INTEGER,
                t_x_days INTEGER,
                t_days INTEGER,
                p_alive REAL,
                expected_purchases REAL,
                expected_order_value_minor INTEGER,
                clv_minor INTEGER,
                clv_decile INTEGER CHECK (clv_decile BETWEEN 1 AND 10),
                PRIMARY KEY (as_of, customer_key)
            ) WITHOUT ROWID;
            CREATE TABLE value_model (
                as_of TEXT PRIMARY KEY,
                r REAL, alpha REAL, a REAL, b REAL,
                p REAL, q REAL, v REAL,
                -- 1 when the BG/NBD fit converged with every parameter identified: offers act on it only then.
                bgnbd_trusted INTEGER NOT NULL,
                document TEXT NOT NULL
            );
            """)
    }
}

/// Replaces this as_of's customer value rows and model.
enum ValueTables {
    /// - Parameter document: value_model.json's text, kept whole in the table.
    static func replace(_ db: Database, with value: CustomerValue, document: String, asOf: String) throws {
        try db.execute(sql: "DELETE FROM customer_value WHERE as_of = ?", arguments: [asOf])
        try db.execute(sql: "DELETE FROM value_model WHERE as_of = ?", arguments: [asOf])
        let insert = try BatchInsert<CustomerValue.Customer>(db, insert: """
            INSERT INTO customer_value (as_of, customer_key, repeat_purchases, t_x_days, t_days, p_alive, expected_purchases,
                expected_order_value_minor, clv_minor, clv_decile)
            """, columns: 10) { customer, statement, offset in
            statement.bind(offset + 1, asOf)
            statement.bind(offset + 2, customer.key)
            statement.bind(offset + 3, customer.inputs.map { Int64($0.repeatPurchases) })
            statement.bind(offset + 4, customer.inputs.map { Int64($0.lastPurchase) })
            statement.bind(offset + 5, customer.inputs.map { Int64($0.age) })
            statement.bind(offset + 6, customer.probabilityAlive)
            statement.bind(offset + 7, customer.expectedPurchases)
            statement.bind(offset + 8, customer.expectedSpend.map(ValueReports.minorUnits))
            statement.bind(offset + 9, customer.clv.map(ValueReports.minorUnits))
            statement.bind(offset + 10, customer.clvDecile.map(Int64.init))
        }
        for customer in value.customers { try insert.add(customer) }
        try insert.flush()
        let purchasing = value.model.purchasing?.model, spending = value.model.spending?.model
        try db.execute(sql: "INSERT INTO value_model (as_of, r, alpha, a, b, p, q, v, bgnbd_trusted, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [asOf, purchasing?.r, purchasing?.alpha, purchasing?.a, purchasing?.b, spending?.p, spending?.q, spending?.v,
                                   value.model.purchasingTrusted, document])
    }
}
