import GRDB

/// Ingest's tables for contacts: the addresses that did not validate, and who must not be contacted.
///
/// `customer.email` and `customer.phone` hold only valid addresses in their stored form (the
/// domain lowercased, phones in E.164); an address that did not validate is NULL there and kept
/// in `contact_issue` as delivered, with the reason. `suppression` is the suppressions.csv rows
/// (identifiers absent = '', so the key is unique); emails are kept lowercased, phones in E.164.
/// `contact_issue.rules` names the rules the address was judged by (`ContactField.rulesFingerprint`).
enum ContactSchema {
    static func create(_ db: Database, phoneRules: PhoneRules) throws {
        try db.execute(sql: """
            CREATE TABLE contact_issue (
                customer_key INTEGER NOT NULL REFERENCES customer(customer_key),
                field TEXT NOT NULL CHECK (field IN ('email', 'phone')),
                value TEXT NOT NULL,
                reason TEXT NOT NULL,
                rules TEXT NOT NULL,
                PRIMARY KEY (customer_key, field)
            ) WITHOUT ROWID;
            CREATE TABLE suppression (
                customer_id TEXT NOT NULL DEFAULT '',
                email TEXT NOT NULL DEFAULT '',
                phone TEXT NOT NULL DEFAULT '',
                channel TEXT NOT NULL DEFAULT '',
                reason TEXT,
                since TEXT,
                until TEXT,
                load_key INTEGER REFERENCES load(load_key) ON DELETE SET NULL,
                CHECK (customer_id <> '' OR email <> '' OR phone <> ''),
                PRIMARY KEY (customer_id, email, phone, channel)
            ) WITHOUT ROWID;
            """)
        // Addresses loaded before validation existed go through it now, with the pipeline's phone
        // rules; a warehouse opened without them (tests) leaves national numbers as issues, which
        // the next ingest checks again with the pipeline's (`ContactIssues.recheck`).
        try ContactIssues.validateStored(db, rules: phoneRules)
    }
}
