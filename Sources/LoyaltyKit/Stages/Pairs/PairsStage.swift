import Foundation
import GRDB

/// Pairs: co-purchase mining. Counts, for every pair of products (and of categories) bought in the
/// same order up to `as_of`, how many orders hold both, with the contract's rule metrics, and lists
/// each product's best partners.
public struct PairsStage: Stage {
    public let name = "pairs"
    public let reads = ["product", "category", "category_ancestor", "order_line"]
    public let owns = ["pair_run", "product_basket_count", "category_basket_count", "product_pair", "category_pair", "product_partner"]
    public let checks: [TableCheck] = [
        .holds("product_pair", "product_a_key <> product_b_key AND orders_together >= 1", describe: "product_a_key"),
        .holds("category_pair", "category_a_key <> category_b_key", describe: "category_a_key"),
        .holds("product_partner", "confidence <= 1 AND lift > 0", describe: "product_key"),
    ]

    public init() {}

    /// Products or categories in output order (by id bytes), with their warehouse keys.
    struct Catalog {
        var keys: [Int64] = []
        var ids: [String] = []
    }

    public func run(_ context: StageContext) throws -> StageReport {
        let config = context.config.pairs
        let asOfText = context.settings.asOfText
        try context.maintainAggregates()
        // The contract's figures window (segment.lookback_days) applies to baskets too.
        let window = context.figuresWindow
        let (products, categories, productCategory) = try context.warehouse.database.read { db in
            try Self.readCatalog(db, level: config.categoryLevel)
        }
        var rankOfProduct = [Int32](repeating: -1, count: Int(products.keys.max() ?? 0) + 1)
        for (rank, key) in products.keys.enumerated() { rankOfProduct[Int(key)] = Int32(rank) }
        let productCounts: PairCounter.Counts, categoryCounts: PairCounter.Counts
        switch config.scope {
        case .order:
            if config.categoryLevel == nil {
                (productCounts, categoryCounts) = try context.warehouse.database.read { db in
                    var rankOfCategory: [Int64: Int32] = [:]
                    for (rank, key) in categories.keys.enumerated() { rankOfCategory[key] = Int32(rank) }
                    return (try AggregatePairCounts.load(db, .product, rankOf: { Int($0) < rankOfProduct.count ? rankOfProduct[Int($0)] : -1 },
                                                         items: products.keys.count, minCount: config.minCount),
                            try AggregatePairCounts.load(db, .category, rankOf: { rankOfCategory[$0] ?? -1 }, items: categories.keys.count,
                                                         minCount: config.minCount))
                }
                context.phaseDone("read \(productCounts.baskets) baskets' pairs from the aggregates")
            } else {
                // Categories at another level than their own are counted from the window's baskets,
                // on a second core while the products' counts are read.
                var categoryResult: PairCounter.Counts?
                let categoryCounting = WorkerThread(name: "category-pairs") {
                    let baskets = try Baskets.load(context.warehouse, from: window.from, until: window.until, rankOfProduct: rankOfProduct)
                    let categoryBaskets = baskets.mapped(productCategory)
                    categoryResult = PairCounter.count(offsets: categoryBaskets.offsets, items: categoryBaskets.items,
                                                       itemCount: categories.keys.count, minCount: config.minCount)
                }
                do {
                    productCounts = try context.warehouse.database.read { db in
                        try AggregatePairCounts.load(db, .product, rankOf: { Int($0) < rankOfProduct.count ? rankOfProduct[Int($0)] : -1 },
                                                     items: products.keys.count, minCount: config.minCount)
                    }
                } catch {
                    categoryCounting.join()
                    throw error
                }
                try categoryCounting.result()
                categoryCounts = categoryResult!
                context.phaseDone("read \(productCounts.baskets) baskets' product pairs; counted categories at level \(config.categoryLevel!)")
            }
        case .customer:
            let events = try context.warehouse.database.read { db in try CustomerPurchases.load(db, rankOfProduct: rankOfProduct) }
            context.phaseDone("read \(events.count) purchases")
            productCounts = WindowedPairCounter.count(events: events, windowDays: config.windowDays, itemCount: products.keys.count,
                                                      minCount: config.minCount)
            let categoryEvents = events.compactMap { event -> WindowedPairCounter.Event? in
                let category = productCategory[Int(event.item)]
                return category >= 0 ? WindowedPairCounter.Event(event.customer, event.day, category) : nil
            }
            categoryCounts = WindowedPairCounter.count(events: categoryEvents, windowDays: config.windowDays,
                                                       itemCount: categories.keys.count, minCount: config.minCount)
        }
        context.phaseDone("counted \(productCounts.pairs.count) product pairs and \(categoryCounts.pairs.count) category pairs")
        // The pair files are most of the bytes and need only the counts: a second core writes them
        // while this one ranks partners and writes the tables, then helps format the pair rows.
        let productPairRows = PairsReports.productPairRows(productCounts, productIds: products.ids)
        let pairFiles = WorkerThread(name: "pairs-reports") {
            try PairsReports.writePairs(productRows: productPairRows, categories: categoryCounts,
                                        categoryIds: categories.ids, to: context.outputs)
        }
        defer { pairFiles.join() }
        let partners = PartnerRanking.rank(productCounts, minConfidence: config.minConfidence, top: config.partners)
        context.phaseDone("ranked partners")
        // Keys come from the product and category tables read above, in this run.
        try context.write(enforcingForeignKeys: false) { db in
            for table in owns { try db.execute(sql: "DELETE FROM \(table)") }
            for (kind, counts, keys) in [("product", productCounts, products.keys), ("category", categoryCounts, categories.keys)] {
                try Self.insert(db, kind: kind, counts: counts, keys: keys, asOf: asOfText, scope: config.scope.rawValue)
            }
            let partner = try BatchInsert<PartnerRanking.Partner>(
                db, insert: "INSERT INTO product_partner (product_key, rank, partner_key, orders_together, confidence, lift)", columns: 6
            ) { row, statement, offset in
                statement.bind(offset + 1, products.keys[Int(row.product)])
                statement.bind(offset + 2, Int64(row.rank))
                statement.bind(offset + 3, products.keys[Int(row.partner)])
                statement.bind(offset + 4, Int64(row.together))
                statement.bind(offset + 5, row.confidence)
                statement.bind(offset + 6, row.lift)
            }
            for row in partners { try partner.add(row) }
            try partner.flush()
        }
        try PairsReports.writePartners(partners, productIds: products.ids, to: context.outputs)
        productPairRows.help()
        try pairFiles.result()
        context.phaseDone("tables and outputs written")
        return StageReport(rowsWritten: productCounts.pairs.count + categoryCounts.pairs.count, summary: [
            "\(productCounts.baskets) \(config.scope == .order ? "baskets" : "customers"): \(productCounts.pairs.count) product pairs and \(categoryCounts.pairs.count) category pairs "
                + "with orders_together ≥ \(config.minCount); \(Set(partners.map(\.product)).count) products with partners",
        ])
    }

    /// Products and categories in id byte order, and each product's category rank at `level`.
    static func readCatalog(_ db: Database, level: Int?) throws -> (Catalog, Catalog, [Int32]) {
        var products = Catalog(), categories = Catalog()
        var productCategoryKey: [Int64?] = []
        // BINARY collation compares UTF-8 bytes, the contract's order of product ids.
        for row in try Row.fetchAll(db, sql: "SELECT product_key, product_id, category_key FROM product ORDER BY product_id") {
            products.keys.append(row[0])
            products.ids.append(row[1])
            productCategoryKey.append(row[2])
        }
        var rankOfCategory: [Int64: Int32] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT category_key, category_id FROM category ORDER BY category_id") {
            rankOfCategory[row[0]] = Int32(categories.keys.count)
            categories.keys.append(row[0])
            categories.ids.append(row[1])
        }
        var atLevel: [Int64: Int64] = [:]
        if let level {
            let flattened = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM category_ancestor") ?? 0
            if flattened == 0 && !categories.keys.isEmpty {
                throw LoyaltyError.missingPrerequisite(
                    stage: "pairs", message: "pairs.category_level needs the category tree flattened by enrich: run enrich first")
            }
            // The ancestor at `level`, or the category itself when it is not that deep.
            for row in try Row.fetchAll(db, sql: """
                SELECT category_key, ancestor_key FROM category_ancestor a
                WHERE level = (SELECT MIN(MAX(level), ?) FROM category_ancestor b WHERE b.category_key = a.category_key)
                """, arguments: [level]) {
                atLevel[row[0]] = row[1]
            }
        }
        let productCategory = productCategoryKey.map { key -> Int32 in
            guard let key else { return -1 }
            return rankOfCategory[atLevel[key] ?? key] ?? -1
        }
        return (products, categories, productCategory)
    }

    /// Writes one kind's counts: the run's basket total, each item's baskets and every pair.
    static func insert(_ db: Database, kind: String, counts: PairCounter.Counts, keys: [Int64], asOf: String, scope: String) throws {
        try db.execute(sql: "INSERT INTO pair_run (kind, as_of, scope, baskets) VALUES (?, ?, ?, ?)",
                       arguments: [kind, asOf, scope, counts.baskets])
        let items = try BatchInsert<Int>(db, insert: "INSERT INTO \(kind)_basket_count (\(kind)_key, baskets)", columns: 2) { item, statement, offset in
            statement.bind(offset + 1, keys[item])
            statement.bind(offset + 2, Int64(counts.itemCounts[item]))
        }
        for item in counts.itemCounts.indices where counts.itemCounts[item] > 0 { try items.add(item) }
        try items.flush()
        let pairs = try BatchInsert<PairCounter.Pair>(
            db, insert: "INSERT INTO \(kind)_pair (\(kind)_a_key, \(kind)_b_key, orders_together)", columns: 3
        ) { pair, statement, offset in
            statement.bind(offset + 1, keys[Int(pair.a)])
            statement.bind(offset + 2, keys[Int(pair.b)])
            statement.bind(offset + 3, Int64(pair.count))
        }
        for pair in counts.pairs { try pairs.add(pair) }
        try pairs.flush()
    }
}

/// Each product's partners: the products it was bought with more often than chance (lift above
/// 1), with confidence (a → b) at least `minConfidence`, best confidence first (then lift, then
/// product order), at most `top`. Lift at most 1 is left out before the cut, not after: ranked
/// by confidence, bestsellers that are in every basket anyway would take the first places.
enum PartnerRanking {
    struct Partner: Equatable {
        let product: Int32
        let rank: Int
        let partner: Int32
        let together: Int
        let confidence: Double
        let lift: Double
    }

    static func rank(_ counts: PairCounter.Counts, minConfidence: Double, top: Int) -> [Partner] {
        struct Candidate {
            var partner: Int32 = 0
            var together: Int32 = 0
            var confidence = 0.0
            var lift = 0.0
        }
        // Each pair gives a candidate to both of its products: group them by product with a
        // counting sort rather than a dictionary of arrays.
        let items = counts.itemCounts.count
        var starts = [Int](repeating: 0, count: items + 1)
        for pair in counts.pairs {
            starts[Int(pair.a) + 1] += 1
            starts[Int(pair.b) + 1] += 1
        }
        for item in 0..<items { starts[item + 1] += starts[item] }
        var fill = starts
        var candidates = [Candidate](repeating: Candidate(), count: starts[items])
        for pair in counts.pairs {
            let countA = counts.itemCounts[Int(pair.a)], countB = counts.itemCounts[Int(pair.b)]
            let lift = AssociationMetrics.lift(together: pair.count, countA: countA, countB: countB, baskets: counts.baskets)
            let confidenceAB = AssociationMetrics.confidence(together: pair.count, countA: countA)
            if lift > 1, confidenceAB >= minConfidence {
                candidates[fill[Int(pair.a)]] = Candidate(partner: pair.b, together: Int32(pair.count), confidence: confidenceAB, lift: lift)
                fill[Int(pair.a)] += 1
            }
            let confidenceBA = AssociationMetrics.confidence(together: pair.count, countA: countB)
            if lift > 1, confidenceBA >= minConfidence {
                candidates[fill[Int(pair.b)]] = Candidate(partner: pair.a, together: Int32(pair.count), confidence: confidenceBA, lift: lift)
                fill[Int(pair.b)] += 1
            }
        }
        var partners: [Partner] = []
        candidates.withUnsafeMutableBufferPointer { candidates in
            for product in 0..<items where fill[product] > starts[product] {
                var own = UnsafeMutableBufferPointer(rebasing: candidates[starts[product]..<fill[product]])
                // Confidence first: the backtest found lift-first partners (rare products that
                // happened to share a few baskets) bought a sixth as often as confidence-first ones.
                own.sort {
                    if $0.confidence != $1.confidence { return $0.confidence > $1.confidence }
                    if $0.lift != $1.lift { return $0.lift > $1.lift }
                    return $0.partner < $1.partner
                }
                for (index, candidate) in own.prefix(top).enumerated() {
                    partners.append(Partner(product: Int32(product), rank: index + 1, partner: candidate.partner,
                                            together: Int(candidate.together), confidence: candidate.confidence, lift: candidate.lift))
                }
            }
        }
        return partners
    }
}
