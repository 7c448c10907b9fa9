import Foundation
import GRDB

/// Enrich: flattens the category tree, profiles products (category path, tags, season,
/// replenishment attribute, premium) and computes product facts and category seasonality as of
/// `as_of` from the aggregates of the figures window. Order lines get all of it through the
/// `order_line_enriched` view.
public struct EnrichStage: Stage {
    public let name = "enrich"
    public let reads = ["category", "product", "product_attribute", "agg_product", "agg_product_month", "agg_product_gap"]
    public let owns = ["category_ancestor", "category_path", "product_profile", "product_fact", "category_seasonality"]
    public let checks: [TableCheck] = [
        .holds("product_fact", "bestseller_rank IS NULL OR bestseller_rank >= 1", describe: "product_key"),
        .holds("product_fact", "buyers >= repeat_buyers", describe: "product_key"),
        .holds("category_path", "depth >= 1", describe: "category_key"),
    ]

    public init() {}

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config.enrich
        let asOf = context.asOf
        let asOfText = context.settings.asOfText
        try context.maintainAggregates()
        let (categories, products, attributes, sales) = try context.warehouse.database.read { db in
            var categories: [Int64: (id: String, name: String, parent: Int64?)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT category_key, category_id, name, parent_key FROM category") {
                categories[row[0]] = (row[1], row[2], row[3])
            }
            let attributes = try ProductAttributes.load(db)
            var products: [ProductFacts.Product] = []
            for row in try Row.fetchAll(db, sql: "SELECT product_key, product_id, category_key, launched_on FROM product ORDER BY product_id") {
                let key: Int64 = row[0]
                products.append(ProductFacts.Product(
                    key: key, id: row[1], categoryKey: row[2], launchedOn: (row[3] as String?).flatMap(CivilDate.parse),
                    replenishDaysAttribute: attributes[key]?.replenishDays))
            }
            let maxProduct = try Int.fetchOne(db, sql: "SELECT MAX(product_key) FROM product") ?? 0
            let sales = try ProductSales.load(db, maxProductKey: maxProduct)
            return (categories, products, attributes, sales)
        }
        let paths = CategoryPaths(categories: categories)
        let facts = ProductFacts.compute(products: products, sales: sales, asOf: asOf, newDays: config.newDays,
                                         minRepeats: config.replenishMinRepeats)

        try context.write { db in
            for table in owns { try db.execute(sql: "DELETE FROM \(table)") }
            let ancestor = try BulkStatement(db, sql: "INSERT INTO category_ancestor (category_key, level, ancestor_key) VALUES (?, ?, ?)")
            let path = try BulkStatement(db, sql: "INSERT INTO category_path (category_key, depth, root_key, path, path_ids) VALUES (?, ?, ?, ?, ?)")
            for key in paths.entries.keys.sorted() {
                guard let entry = paths.entries[key], let root = entry.lineage.first else { continue }
                for (level, node) in entry.lineage.enumerated() {
                    ancestor.bind(1, key)
                    ancestor.bind(2, Int64(level + 1))
                    ancestor.bind(3, node)
                    try ancestor.execute()
                }
                path.bind(1, key)
                path.bind(2, Int64(entry.depth))
                path.bind(3, root)
                path.bind(4, entry.path)
                path.bind(5, entry.pathIds)
                try path.execute()
            }
            let profile = try BulkStatement(db, sql: """
                INSERT INTO product_profile (product_key, category_key, root_category_key, category_path, tags, season,
                    replenish_days_attribute, premium) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let fact = try BulkStatement(db, sql: """
                INSERT INTO product_fact (product_key, as_of, units, revenue_minor, orders, buyers, repeat_buyers, repeat_rate,
                    bestseller_rank, category_rank, is_new, replenish_days, replenish_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for product in products {
                let entry = product.categoryKey.flatMap { paths.entries[$0] }
                let attribute = attributes[product.key]
                profile.bind(1, product.key)
                profile.bind(2, product.categoryKey)
                profile.bind(3, entry?.lineage.first)
                profile.bind(4, entry?.path)
                profile.bind(5, attribute.map { $0.tags.joined(separator: ",") }.flatMap { $0.isEmpty ? nil : $0 })
                profile.bind(6, attribute?.season)
                profile.bind(7, attribute?.replenishDays.map(Int64.init))
                profile.bind(8, (attribute?.premium ?? false) ? 1 : 0)
                try profile.execute()
                guard let f = facts.facts[product.key] else { continue }
                fact.bind(1, product.key)
                fact.bind(2, asOfText)
                fact.bind(3, f.units)
                fact.bind(4, f.revenueMinor)
                fact.bind(5, f.orders)
                fact.bind(6, Int64(f.buyers))
                fact.bind(7, Int64(f.repeatBuyers))
                fact.bind(8, f.repeatRate)
                fact.bind(9, f.bestsellerRank.map(Int64.init))
                fact.bind(10, f.categoryRank.map(Int64.init))
                fact.bind(11, f.isNew ? 1 : 0)
                fact.bind(12, f.replenishDays)
                fact.bind(13, f.replenishSource)
                try fact.execute()
            }
            let season = try BulkStatement(db, sql: """
                INSERT INTO category_seasonality (category_key, month, as_of, revenue_minor, seasonality_index) VALUES (?, ?, ?, ?, ?)
                """)
            for row in facts.seasonality {
                season.bind(1, row.categoryKey)
                season.bind(2, Int64(row.month))
                season.bind(3, asOfText)
                season.bind(4, row.revenueMinor)
                season.bind(5, row.index)
                try season.execute()
            }
        }
        try EnrichReports.write(products: products, facts: facts, paths: paths, categories: categories, attributes: attributes,
                                to: context.outputs)
        let sold = facts.facts.values.filter { $0.units > 0 }.count
        let cycles = facts.facts.values.filter { $0.replenishDays != nil }.count
        let new = facts.facts.values.filter(\.isNew).count
        return StageReport(rowsWritten: products.count, summary: [
            "\(products.count) products (\(sold) sold, \(new) new, \(cycles) with a replenishment cycle), \(categories.count) categories",
        ])
    }
}

/// The product attributes later stages use, read from the long-format `product_attribute` table.
struct ProductAttributes {
    var tags: [String] = []
    var season: String?
    var replenishDays: Int?
    var premium = false

    static func load(_ db: Database) throws -> [Int64: ProductAttributes] {
        var result: [Int64: ProductAttributes] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT product_key, attribute, value FROM product_attribute ORDER BY product_key, attribute, value") {
            let key: Int64 = row[0]
            let attribute: String = row[1]
            let value: String = row[2]
            var entry = result[key] ?? ProductAttributes()
            switch attribute {
            case "tag": entry.tags.append(value)
            case "season": entry.season = value.lowercased()
            // A cycle that is not a positive whole number of days is ignored, not guessed at.
            case "replenish_days": entry.replenishDays = Int(value).flatMap { $0 > 0 ? $0 : nil }
            case "premium": entry.premium = ["true", "1", "yes"].contains(value.lowercased())
            default: break
            }
            result[key] = entry
        }
        return result
    }
}
