/// The enrich stage's CSV outputs (columns documented in docs/outputs.md).
enum EnrichReports {
    static func write(products: [ProductFacts.Product], facts: ProductFacts, paths: CategoryPaths,
                      categories: [Int64: (id: String, name: String, parent: Int64?)], attributes: [Int64: ProductAttributes],
                      to outputs: OutputFolder) throws {
        try outputs.writeCSV("product_facts.csv", header: [
            "product_id", "category_path", "units", "revenue", "orders", "buyers", "repeat_rate", "bestseller_rank",
            "category_rank", "is_new", "replenish_days", "replenish_source", "season", "tags",
        ]) { csv in
            for product in products {
                let fact = facts.facts[product.key] ?? ProductFacts.Fact()
                try csv.text(product.id)
                try csv.text(product.categoryKey.flatMap { paths.entries[$0]?.path })
                try csv.raw(String(fact.units))
                try csv.money(fact.revenueMinor)
                try csv.raw(String(fact.orders))
                try csv.raw(String(fact.buyers))
                try csv.raw(fact.repeatRate.map(NumberFormat.shortest))
                try csv.raw(fact.bestsellerRank.map(String.init))
                try csv.raw(fact.categoryRank.map(String.init))
                try csv.raw(fact.isNew ? "true" : "false")
                try csv.raw(fact.replenishDays.map(NumberFormat.shortest))
                try csv.text(fact.replenishSource)
                try csv.text(attributes[product.key]?.season)
                try csv.text(attributes[product.key].map { $0.tags.joined(separator: ",") })
                try csv.endRow()
            }
        }
        try outputs.writeCSV("category_seasonality.csv", header: ["category_id", "category_path", "month", "revenue", "seasonality_index"]) { csv in
            let rows = facts.seasonality.sorted {
                let a = categories[$0.categoryKey]?.id ?? "", b = categories[$1.categoryKey]?.id ?? ""
                return a != b ? a.utf8.lexicographicallyPrecedes(b.utf8) : $0.month < $1.month
            }
            for row in rows {
                try csv.text(categories[row.categoryKey]?.id)
                try csv.text(paths.entries[row.categoryKey]?.path)
                try csv.raw(String(row.month))
                try csv.money(row.revenueMinor)
                try csv.raw(row.index.map(NumberFormat.shortest))
                try csv.endRow()
            }
        }
    }
}
