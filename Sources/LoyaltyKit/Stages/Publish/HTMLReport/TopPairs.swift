import GRDB

/// The report's "bought together" pairs: the highest lift, as `product_pair_metrics` defines it,
/// among the pairs bought together most often.
///
/// Lift alone favours rare products: two bought once each, and once together, have a lift of
/// baskets ÷ 1 — on real data the top pairs by lift had 2 orders together and a lift of 10,000.
/// So only the `topShare` of pairs with the most orders together compete (at least `limit` of
/// them): the floor is derived from the data, and the report says what it was.
///
/// Two scans of `product_pair` (the counts for the floor, then the ranking keeping the best few):
/// SQL's ORDER BY over the view joins and sorts every pair, 2.3 s for ten rows out of 2.2M pairs. The figures are computed with the
/// view's own operations in the same order, so they are the same doubles.
enum TopPairs {
    static let topShare = 0.05

    /// Lift descending, then orders together descending, then the two product ids as bytes.
    /// - Returns: the pairs, and the least orders together a pair needed to compete.
    static func byLift(_ db: Database, limit: Int) throws -> (pairs: [ReportData.Pair], minOrders: Int64) {
        guard limit > 0, let baskets = try Int64.fetchOne(db, sql: "SELECT baskets FROM pair_run WHERE kind = 'product'"), baskets > 0 else {
            return ([], 0)
        }
        let minOrders = try orderFloor(db, keeping: limit)
        var productBaskets: [Int64: Int64] = [:]
        try RowScan.forEach(db, sql: "SELECT product_key, baskets FROM product_basket_count") { row in
            productBaskets[row.int64(0)] = row.int64(1)
        }
        var products: [Int64: (id: String, name: String)] = [:]
        try RowScan.forEach(db, sql: "SELECT product_key, product_id, name FROM product") { row in
            products[row.int64(0)] = (row.text(1), row.text(2))
        }
        let all = Double(baskets)
        struct Candidate { let a: Int64, b: Int64, orders: Int64, lift: Double }
        func ranksBefore(_ x: Candidate, _ y: Candidate) -> Bool {
            if x.lift != y.lift { return x.lift > y.lift }
            if x.orders != y.orders { return x.orders > y.orders }
            let (xa, ya) = (products[x.a]!.id, products[y.a]!.id)
            if xa != ya { return xa.utf8.lexicographicallyPrecedes(ya.utf8) }
            return products[x.b]!.id.utf8.lexicographicallyPrecedes(products[y.b]!.id.utf8)
        }
        var best: [Candidate] = []
        try RowScan.forEach(db, sql: "SELECT product_a_key, product_b_key, orders_together FROM product_pair") { row in
            let (a, b, orders) = (row.int64(0), row.int64(1), row.int64(2))
            guard orders >= minOrders else { return }
            // The view's inner joins: a pair counts only with both products and their basket counts.
            guard let basketsA = productBaskets[a], let basketsB = productBaskets[b], basketsA > 0, basketsB > 0,
                  products[a] != nil, products[b] != nil else { return }
            let lift = (Double(orders) * 1.0 / all) / ((Double(basketsA) * 1.0 / all) * (Double(basketsB) * 1.0 / all))
            let candidate = Candidate(a: a, b: b, orders: orders, lift: lift)
            guard best.count < limit || ranksBefore(candidate, best[best.count - 1]) else { return }
            let slot = best.firstIndex { ranksBefore(candidate, $0) } ?? best.count
            best.insert(candidate, at: slot)
            if best.count > limit { best.removeLast() }
        }
        return (best.map { pair in
            let (a, b) = (products[pair.a]!, products[pair.b]!)
            return ReportData.Pair(productA: a.id, nameA: a.name, productB: b.id, nameB: b.name, ordersTogether: Int(pair.orders),
                                   support: Double(pair.orders) * 1.0 / all, lift: pair.lift)
        }, minOrders)
    }

    /// The largest count m such that at least max(`keeping`, ⌈topShare × pairs⌉) pairs were bought
    /// together in m orders or more (all pairs' least count when there are fewer).
    static func orderFloor(_ db: Database, keeping: Int) throws -> Int64 {
        var pairsWith: [Int64: Int] = [:]
        try RowScan.forEach(db, sql: "SELECT orders_together FROM product_pair") { row in pairsWith[row.int64(0), default: 0] += 1 }
        let total = pairsWith.values.reduce(0, +)
        let needed = max(keeping, Int((topShare * Double(total)).rounded(.up)))
        var atLeast = 0
        for count in pairsWith.keys.sorted(by: >) {
            atLeast += pairsWith[count]!
            if atLeast >= needed { return count }
        }
        return pairsWith.keys.min() ?? 0
    }
}
