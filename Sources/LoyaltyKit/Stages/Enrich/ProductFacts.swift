/// Product facts computed from `ProductSales`, with no database access: buyers, repeat buyers,
/// bestseller ranks, "new", the replenishment cycle, and the seasonality of categories.
struct ProductFacts {
    struct Product {
        let key: Int64
        let id: String
        let categoryKey: Int64?
        let launchedOn: Int64?
        let replenishDaysAttribute: Int?
    }

    struct Fact: Equatable {
        var units: Int64 = 0
        var revenueMinor: Int64 = 0
        var orders: Int64 = 0
        var buyers = 0
        var repeatBuyers = 0
        var repeatRate: Double?
        var bestsellerRank: Int?
        var categoryRank: Int?
        var isNew = false
        var replenishDays: Double?
        var replenishSource: String?
    }

    struct Seasonality: Equatable {
        let categoryKey: Int64
        let month: Int
        let revenueMinor: Int64
        /// Mean revenue of this calendar month / mean monthly revenue over the period; nil when
        /// the month never occurs in the period or the category sold nothing.
        let index: Double?
    }

    var facts: [Int64: Fact]
    var seasonality: [Seasonality]

    /// - Parameters:
    ///   - newDays: a product launched within this many days up to `asOf` is new.
    ///   - minRepeats: the observed cycle needs at least this many repeat gaps.
    static func compute(products: [Product], sales: ProductSales, asOf: Int64, newDays: Int, minRepeats: Int) -> ProductFacts {
        var facts: [Int64: Fact] = [:]
        for product in products {
            let p = Int(product.key)
            var fact = Fact()
            if p < sales.units.count {
                fact.units = sales.units[p]
                fact.revenueMinor = sales.revenueMinor[p]
                fact.orders = sales.orders[p]
                fact.buyers = sales.buyers[p]
                fact.repeatBuyers = sales.repeatBuyers[p]
            }
            fact.repeatRate = fact.buyers > 0 ? Double(fact.repeatBuyers) / Double(fact.buyers) : nil
            if let launched = product.launchedOn { fact.isNew = launched <= asOf && asOf - launched < Int64(newDays) }
            if let attribute = product.replenishDaysAttribute {
                fact.replenishDays = Double(attribute)
                fact.replenishSource = "attribute"
            } else if p < sales.gaps.count, let observed = ProductSales.medianGap(sales.gaps[p]), observed.count >= minRepeats {
                fact.replenishDays = observed.median
                fact.replenishSource = "observed"
            }
            facts[product.key] = fact
        }

        // Bestsellers: by revenue, then units, then product id; only products that sold.
        let selling = products.filter { (facts[$0.key]?.units ?? 0) > 0 }.sorted { a, b in
            let fa = facts[a.key] ?? Fact(), fb = facts[b.key] ?? Fact()
            if fa.revenueMinor != fb.revenueMinor { return fa.revenueMinor > fb.revenueMinor }
            if fa.units != fb.units { return fa.units > fb.units }
            return a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
        }
        var categoryCounters: [Int64: Int] = [:]
        for (rank, product) in selling.enumerated() {
            facts[product.key]?.bestsellerRank = rank + 1
            if let category = product.categoryKey {
                let categoryRank = (categoryCounters[category] ?? 0) + 1
                categoryCounters[category] = categoryRank
                facts[product.key]?.categoryRank = categoryRank
            }
        }
        return ProductFacts(facts: facts, seasonality: seasonality(products: products, sales: sales, asOf: asOf))
    }

    /// Per category and calendar month: (revenue in that month / times the month occurs in the
    /// period) / (revenue / months in the period). 1 = an average month, 2 = twice as strong.
    static func seasonality(products: [Product], sales: ProductSales, asOf: Int64) -> [Seasonality] {
        guard let firstMonth = sales.firstMonth, firstMonth <= CivilDate.month(ofDay: asOf) else { return [] }
        let first = (year: firstMonth / 12, month: firstMonth % 12 + 1), last = CivilDate.civil(asOf)
        var occurrences = [Int](repeating: 0, count: 12)
        var year = first.year, month = first.month
        while (year, month) <= (last.year, last.month) {
            occurrences[month - 1] += 1
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        let periodMonths = occurrences.reduce(0, +)
        var byCategory: [Int64: [Int64]] = [:]
        for product in products {
            guard let category = product.categoryKey else { continue }
            let p = Int(product.key)
            guard p * 12 + 11 < sales.monthRevenueMinor.count else { continue }
            var months = byCategory[category] ?? [Int64](repeating: 0, count: 12)
            for m in 0..<12 { months[m] += sales.monthRevenueMinor[p * 12 + m] }
            byCategory[category] = months
        }
        var rows: [Seasonality] = []
        for category in byCategory.keys.sorted() {
            let months = byCategory[category] ?? []
            let total = months.reduce(0, +)
            for m in 0..<12 {
                // (revenue_m / occurrences_m) / (total / months), as one quotient for precision.
                let index: Double? = occurrences[m] > 0 && total > 0
                    ? Double(months[m]) * Double(periodMonths) / (Double(occurrences[m]) * Double(total)) : nil
                rows.append(Seasonality(categoryKey: category, month: m + 1, revenueMinor: months[m], index: index))
            }
        }
        return rows
    }
}
