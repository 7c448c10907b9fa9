/// offers.csv (the contract's columns, then `evidence` if `offers.evidence_column`) and offer_drops.csv.
enum OffersReports {
    /// The rows of offers.csv, for `write` and for other threads to help format (the reason and
    /// evidence texts are made here, and they are most of the work).
    static func offerRows(_ result: OffersStage.Result, run: OfferRun, validity: OffersStage.Validity) -> ParallelCSVRows {
        let catalog = run.catalog, withEvidence = run.config.evidenceColumn
        return ParallelCSVRows(rows: result.offers.count) { index, csv in
            let offer = result.offers[index]
            try OfferFeeds.writeId(offer.idNumber, to: csv)
            let customer = result.customers[offer.customer]
            try csv.text(customer.id)
            try csv.integer(offer.rank)
            let candidate = offer.candidate
            try csv.raw(candidate.type.rawValue)
            try csv.text(candidate.product.map { catalog.products[Int($0)].id })
            try csv.text(candidate.categoryKey.flatMap { catalog.categoryIds[$0] })
            try csv.raw(run.channels[Int(offer.channel)].name)
            try csv.real(candidate.score)
            try csv.money(candidate.expectedValueMinor)
            try csv.integer(candidate.discountPct)
            try candidate.reasonText(for: customer, in: run).bytes.withUnsafeBufferPointer { try csv.text(bytes: $0) }
            try csv.raw(validity.from)
            try csv.raw(validity.to)
            try csv.raw(offer.holdout ? "true" : "false")
            if withEvidence {
                try candidate.evidenceText(for: customer, in: run).bytes.withUnsafeBufferPointer { try csv.text(bytes: $0) }
            }
            try csv.endRow()
        }
    }

    static func write(_ result: OffersStage.Result, offerRows: ParallelCSVRows, withEvidence: Bool, to outputs: OutputFolder) throws {
        try outputs.writeCSV("offers.csv", header: [
            "offer_id", "customer_id", "rank", "offer_type", "product_id", "category_id", "channel", "score", "expected_value",
            "discount_pct", "reason", "valid_from", "valid_to", "holdout",
        ] + (withEvidence ? ["evidence"] : [])) { csv in
            try offerRows.write(to: csv)
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
