/// offers.csv (the contract's columns, then `evidence`) and offer_drops.csv.
enum OffersReports {
    static func write(_ result: OffersStage.Result, catalog: OfferCatalog, validFrom: String, validTo: String, to outputs: OutputFolder) throws {
        try outputs.writeCSV("offers.csv", header: [
            "offer_id", "customer_id", "rank", "offer_type", "product_id", "category_id", "channel", "score", "expected_value",
            "discount_pct", "reason", "valid_from", "valid_to", "holdout", "evidence",
        ]) { csv in
            for offer in result.offers {
                let candidate = offer.candidate
                try csv.text(offer.id)
                try csv.text(result.customers[offer.customer].id)
                try csv.integer(offer.rank)
                try csv.raw(candidate.type.rawValue)
                try csv.text(candidate.product.map { catalog.products[Int($0)].id })
                try csv.text(candidate.categoryKey.flatMap { catalog.categoryIds[$0] })
                try csv.raw(offer.channel.rawValue)
                try csv.real(candidate.score)
                try csv.money(candidate.expectedValueMinor)
                try csv.integer(candidate.discountPct)
                try csv.text(offer.reason)
                try csv.raw(validFrom)
                try csv.raw(validTo)
                try csv.raw(offer.holdout ? "true" : "false")
                try csv.text(candidate.evidence)
                try csv.endRow()
            }
        }
        try outputs.writeCSV("offer_drops.csv", header: ["reason", "offer_type", "candidates"]) { csv in
            for (key, count) in result.drops.sorted(by: { $0.key < $1.key }) {
                try csv.raw(key.reason.rawValue)
                try csv.raw(key.type.rawValue)
                try csv.integer(count)
                try csv.endRow()
            }
        }
    }
}
