import GRDB

/// What the generators know about products: prices, facts from enrich, partners from pairs, and
/// the lists they pick from (bestsellers, per category, new per category). Read once per run.
struct OfferCatalog {
    /// A class, not a struct: generators read products in their innermost loops, and copying a
    /// struct with two strings cost two retains per read.
    final class Product {
        let key: Int64
        let id: String
        let name: String
        let categoryKey: Int64?
        let priceMinor: Int64
        let costMinor: Int64?
        let active: Bool
        let premium: Bool
        let isNew: Bool
        /// Orders holding the product (product_fact): "bestseller" in offers means most orders.
        let orders: Int
        /// Days between purchases from enrich (attribute or observed), if known.
        let replenishDays: Double?

        init(key: Int64, id: String, name: String, categoryKey: Int64?, priceMinor: Int64, costMinor: Int64?, active: Bool, premium: Bool,
             isNew: Bool, orders: Int, replenishDays: Double?) {
            self.key = key
            self.id = id
            self.name = name
            self.categoryKey = categoryKey
            self.priceMinor = priceMinor
            self.costMinor = costMinor
            self.active = active
            self.premium = premium
            self.isNew = isNew
            self.orders = orders
            self.replenishDays = replenishDays
        }
    }

    struct Partner {
        let product: Int32
        let confidence: Double
        let lift: Double
        let together: Int
    }

    var products: [Product] = []
    /// Fields the generators scan, as plain arrays: read without touching the product objects.
    var isActive: [Bool] = []
    var keyOf: [Int64] = []
    var priceOf: [Int64] = []
    var ordersOf: [Int] = []
    var isPremium: [Bool] = []
    var categoryOf: [Int64?] = []
    /// Index in `products` by product key (−1: none).
    var indexOfKey: [Int32] = []
    var categoryIds: [Int64: String] = [:]
    /// Partners by product index, best first (product_partner).
    var partners: [[Partner]] = []
    /// The partners cross-sell can offer, in one array (product p's are
    /// `partnerList[partnerStarts[p] ..< partnerStarts[p + 1]]`): only active ones with a lift
    /// above 1, by confidence, highest first (ties: catalog order), so the generator stops at the
    /// first partner too weak to make a customer's five. Read for every product of every
    /// customer, one contiguous array saves a pointer chase and a cache miss per product.
    var partnerStarts: [Int] = [0]
    var partnerList: [Partner] = []
    /// The two fields of `partnerList` the generator's inner loop reads, in arrays of their own: a
    /// sixth of the bytes, so more of them stay in the cache (a load per customer product missed it).
    var partnerProducts: [Int32] = []
    var partnerConfidences: [Double] = []
    /// Active products by category, bestseller first.
    var byCategory: [Int64: [Int32]] = [:]
    /// Active products, bestseller first.
    var bestsellers: [Int32] = []
    /// Active `new` products by category, bestseller first.
    var newByCategory: [Int64: [Int32]] = [:]

    func index(ofKey key: Int64) -> Int32? {
        guard key >= 0, Int(key) < indexOfKey.count else { return nil }
        let index = indexOfKey[Int(key)]
        return index >= 0 ? index : nil
    }

    /// Margin in minor units of one unit: price − cost, or price × margin rate when cost is unknown.
    func marginMinor(_ product: Product, marginRate: Double) -> Int64 {
        if let cost = product.costMinor { return product.priceMinor - cost }
        return Int64((Double(product.priceMinor) * marginRate).rounded())
    }

    static func load(_ db: Database) throws -> OfferCatalog {
        var catalog = OfferCatalog()
        let facts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product_fact") ?? 0
        let products = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product") ?? 0
        if facts == 0 && products > 0 {
            throw LoyaltyError.missingPrerequisite(stage: "offers", message: "product facts are missing: run enrich (and segment, pairs) first")
        }
        let maxKey = try Int.fetchOne(db, sql: "SELECT MAX(product_key) FROM product") ?? 0
        catalog.indexOfKey = [Int32](repeating: -1, count: maxKey + 1)
        try RowScan.forEach(db, sql: """
            SELECT p.product_key, p.product_id, p.name, p.category_key, p.price_minor, p.cost_minor, p.active,
                   COALESCE(pp.premium, 0), COALESCE(f.is_new, 0), COALESCE(f.orders, 0), f.replenish_days
            FROM product p LEFT JOIN product_profile pp USING (product_key) LEFT JOIN product_fact f USING (product_key)
            ORDER BY p.product_id
            """) { row in
            catalog.indexOfKey[Int(row.int64(0))] = Int32(catalog.products.count)
            catalog.products.append(Product(
                key: row.int64(0), id: row.text(1), name: row.text(2), categoryKey: row.optionalInt64(3), priceMinor: row.int64(4),
                costMinor: row.optionalInt64(5), active: row.int64(6) != 0, premium: row.int64(7) != 0, isNew: row.int64(8) != 0,
                orders: Int(row.int64(9)), replenishDays: row.optionalDouble(10)))
        }
        try RowScan.forEach(db, sql: "SELECT category_key, category_id FROM category") { row in
            catalog.categoryIds[row.int64(0)] = row.text(1)
        }
        catalog.partners = Array(repeating: [], count: catalog.products.count)
        try RowScan.forEach(db, sql: """
            SELECT product_key, partner_key, confidence, lift, orders_together FROM product_partner ORDER BY product_key, rank
            """) { row in
            guard let product = catalog.index(ofKey: row.int64(0)), let partner = catalog.index(ofKey: row.int64(1)) else { return }
            catalog.partners[Int(product)].append(Partner(product: partner, confidence: row.double(2), lift: row.double(3),
                                                          together: Int(row.int64(4))))
        }
        let ranked = catalog.products.indices.filter { catalog.products[$0].active }.sorted { a, b in
            let (x, y) = (catalog.products[a], catalog.products[b])
            if x.orders != y.orders { return x.orders > y.orders }
            return a < b
        }
        catalog.bestsellers = ranked.map(Int32.init)
        for index in catalog.bestsellers {
            if let category = catalog.products[Int(index)].categoryKey { catalog.byCategory[category, default: []].append(index) }
        }
        catalog.buildIndexes()
        return catalog
    }

    /// Derives the flat lists the generators scan (partners, hot product fields, new products by
    /// category) from `products`, `partners` and `byCategory`.
    mutating func buildIndexes() {
        isActive = products.map(\.active)
        partnerStarts = [0]
        partnerList = []
        for own in partners {
            partnerList += own.filter { $0.lift > 1 && isActive[Int($0.product)] }
                .sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.product < $1.product }
            partnerStarts.append(partnerList.count)
        }
        partnerProducts = partnerList.map(\.product)
        partnerConfidences = partnerList.map(\.confidence)
        keyOf = products.map(\.key)
        priceOf = products.map(\.priceMinor)
        ordersOf = products.map(\.orders)
        isPremium = products.map(\.premium)
        categoryOf = products.map(\.categoryKey)
        newByCategory = byCategory.mapValues { $0.filter { products[Int($0)].isNew } }.filter { !$0.value.isEmpty }
    }
}
