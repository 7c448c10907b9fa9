import GRDB

/// Loads `product_attributes` (long format, many rows per product). A delivery that mentions a
/// product replaces that product's whole attribute set: the latest delivery wins, as for products.
final class ProductAttributeLoader: EntityLoader {
    private let products: [String: Int64]
    private let clear: BulkStatement
    private let insert: BulkStatement
    private var replaced: Set<Int64> = []
    private var firstLine: [String: Int] = [:]
    private(set) var rowsLoaded = 0

    init(_ db: Database) throws {
        products = try keyMap(db, table: "product")
        clear = try BulkStatement(db, sql: "DELETE FROM product_attribute WHERE product_key = ?")
        insert = try BulkStatement(db, sql: "INSERT INTO product_attribute (product_key, attribute, value) VALUES (?, ?, ?)")
    }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = basicRejectReason(record, entity: .productAttributes) {
            return try rejects.reject(record, reason)
        }
        let productId = record.string(0) ?? ""
        guard let productKey = products[productId] else {
            return try rejects.reject(record, RejectReason.unknown("product", productId))
        }
        let attribute = (record.string(1) ?? "").lowercased()
        let value = record.string(2) ?? ""
        let key = "\(productId)\u{1F}\(attribute)\u{1F}\(value)"
        if let first = firstLine[key] {
            return try rejects.reject(record, RejectReason.duplicate("(\(productId), \(attribute), \(value))", firstLine: first))
        }
        firstLine[key] = record.line
        if replaced.insert(productKey).inserted {
            clear.bind(1, productKey)
            try clear.execute()
        }
        insert.bind(1, productKey)
        insert.bind(2, attribute)
        insert.bind(3, value)
        try insert.execute()
        rowsLoaded += 1
    }

    func finish(rejects: RejectSink) throws {}
}
