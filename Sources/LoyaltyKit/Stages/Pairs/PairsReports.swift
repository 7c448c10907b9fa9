/// The pairs stage's CSV outputs (columns documented in docs/outputs.md).
enum PairsReports {
    /// The rows of product_pairs.csv, for `writePairs` and for other threads to help format.
    static func productPairRows(_ products: PairCounter.Counts, productIds: [String]) -> ParallelCSVRows {
        ParallelCSVRows(rows: products.pairs.count) { row, csv in
            let pair = products.pairs[row]
            let m = metrics(pair, products)
            try csv.text(productIds[Int(pair.a)])
            try csv.text(productIds[Int(pair.b)])
            try csv.integer(pair.count)
            try csv.real(m.support)
            try csv.real(m.confidenceAB)
            try csv.real(m.confidenceBA)
            try csv.real(m.lift)
            try csv.real(m.leverage)
            try csv.real(m.convictionAB)
            try csv.real(m.convictionBA)
            try csv.real(m.jaccard)
            try csv.real(m.kulczynski)
            try csv.endRow()
        }
    }

    /// product_pairs.csv (from `productPairRows`) and category_pairs.csv.
    static func writePairs(productRows: ParallelCSVRows, categories: PairCounter.Counts, categoryIds: [String],
                           to outputs: OutputFolder) throws {
        try outputs.writeCSV("product_pairs.csv", header: [
            "product_a", "product_b", "orders_together", "support", "confidence_a_b", "confidence_b_a", "lift", "leverage",
            "conviction_a_b", "conviction_b_a", "jaccard", "kulczynski",
        ]) { csv in
            try productRows.write(to: csv)
        }
        try outputs.writeCSV("category_pairs.csv", header: [
            "category_a", "category_b", "orders_together", "support", "confidence_a_b", "confidence_b_a", "lift", "jaccard", "kulczynski",
        ]) { csv in
            for pair in categories.pairs {
                let m = metrics(pair, categories)
                try csv.text(categoryIds[Int(pair.a)])
                try csv.text(categoryIds[Int(pair.b)])
                try csv.integer(pair.count)
                for value in [m.support, m.confidenceAB, m.confidenceBA, m.lift, m.jaccard, m.kulczynski] { try csv.real(value) }
                try csv.endRow()
            }
        }
    }

    static func writePartners(_ partners: [PartnerRanking.Partner], productIds: [String], to outputs: OutputFolder) throws {
        try outputs.writeCSV("product_partners.csv", header: ["product_id", "rank", "partner_id", "orders_together", "confidence", "lift"]) { csv in
            for partner in partners {
                try csv.text(productIds[Int(partner.product)])
                try csv.integer(partner.rank)
                try csv.text(productIds[Int(partner.partner)])
                try csv.integer(partner.together)
                try csv.real(partner.confidence)
                try csv.real(partner.lift)
                try csv.endRow()
            }
        }
    }

    private static func metrics(_ pair: PairCounter.Pair, _ counts: PairCounter.Counts) -> AssociationMetrics {
        AssociationMetrics(together: pair.count, countA: counts.itemCounts[Int(pair.a)], countB: counts.itemCounts[Int(pair.b)],
                           baskets: counts.baskets)
    }
}
