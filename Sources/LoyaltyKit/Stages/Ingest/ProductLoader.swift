import GRDB

/// Loads `products`, upserting by `product_id` (the latest delivery wins). A `category_id` must
/// name a known category; price and cost are exact money; `active` defaults to true.
final class ProductLoader: EntityLoader {
    private let upsert: BulkStatement
    private let categories: [String: Int64]
    private var firstLine: [String: Int] = [:]
    private(set) var rowsLoaded = 0

    init(_ db: Database) throws {
        categories = try keyMap(db, table: "category")
        upsert = try BulkStatement(db, sql: """
            INSERT INTO product (product_id, name, category_key, brand, price_minor, cost_minor, launched_on, active)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET name = excluded.name, category_key = excluded.category_key,
                brand = excluded.brand, price_minor = excluded.price_minor, cost_minor = excluded.cost_minor,
                launched_on = excluded.launched_on, active = excluded.active
            """)
    }

    func load(_ record: InputRecord, rejects: RejectSink) throws {
        if let reason = try reason(record) { try rejects.reject(record, reason) }
    }

    func finish(rejects: RejectSink) throws {}

    private func reason(_ record: InputRecord) throws -> String? {
        if let reason = basicRejectReason(record, entity: .products) { return reason }
        let id = record.string(0) ?? ""
        if let first = firstLine[id] { return RejectReason.duplicate("product_id \(id)", firstLine: first) }
        var categoryKey: Int64?
        if let categoryId = record.string(2) {
            guard let key = categories[categoryId] else { return RejectReason.unknown("category", categoryId) }
            categoryKey = key
        }
        let money = { (bytes: UnsafeBufferPointer<UInt8>) throws(FieldError) -> Int64 in try FieldParser.decimal(bytes, scale: 4) }
        let price: Int64
        switch record.parse(4, "price", money) {
        case let .success(value): price = value
        case let .failure(error): return error.reason
        }
        guard price >= 0 else { return "invalid price: '\(record.string(4) ?? "")' is negative" }
        var cost: Int64?
        if !record.isEmpty(5) {
            switch record.parse(5, "cost", money) {
            case let .success(value): cost = value
            case let .failure(error): return error.reason
            }
        }
        if !record.isEmpty(6), case let .failure(error) = record.parse(6, "launched_on", FieldParser.date) { return error.reason }
        var active = true
        if !record.isEmpty(7) {
            switch record.parse(7, "active", FieldParser.boolean) {
            case let .success(value): active = value
            case let .failure(error): return error.reason
            }
        }
        firstLine[id] = record.line
        upsert.bind(1, id)
        upsert.bind(2, bytes: record.bytes(1))
        upsert.bind(3, categoryKey)
        upsert.bind(4, bytes: record.bytes(3))
        upsert.bind(5, price)
        upsert.bind(6, cost)
        upsert.bind(7, bytes: record.bytes(6))
        upsert.bind(8, active ? 1 : 0)
        try upsert.execute()
        rowsLoaded += 1
        return nil
    }
}
