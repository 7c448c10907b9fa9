import Foundation

/// Replenishment: a product the customer buys again and again, due now by the customer's own
/// rhythm. The cycle is the median gap between their purchase days, shrunk toward the product's
/// cycle (from enrich) when they have few gaps: (gaps × own + k × product) / (gaps + k), with
/// k = `offers.replenish_shrink_gaps`. Due = last purchase + cycle; offered when due within
/// `offers.replenish_due_window_days` either side of as_of. Propensity 0.15 … 0.5, highest on the due day.
struct ReplenishmentOffers: OfferGenerator {
    let type = OfferType.replenishment

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        let window = Double(run.config.replenishDueWindowDays)
        let shrink = Double(run.config.replenishShrinkGaps)
        return customer.products.compactMap { history in
            let product = run.catalog.products[Int(history.product)]
            guard product.active, let own = history.medianGapDays else { return nil }
            let gaps = Double(history.gaps)
            let cycle = product.replenishDays.map { (gaps * own + shrink * $0) / (gaps + shrink) } ?? own
            guard cycle >= 1 else { return nil }
            let due = history.lastDay + Int64(cycle.rounded())
            let daysToDue = Double(due - run.asOf)
            guard abs(daysToDue) <= window else { return nil }
            let dueness = 1 - abs(daysToDue) / (window + 1)
            let productCycle = product.replenishDays.map { "\(decimalText($0)) d" } ?? "unknown"
            return OfferCandidate(
                type: type, product: history.product, categoryKey: product.categoryKey, discountPct: run.discount(type),
                propensity: 0.15 + 0.35 * dueness,
                reason: "Time to restock \(product.name): bought every \(Int(cycle.rounded())) days, last on \(CivilDate.format(history.lastDay))",
                evidence: "purchase days=\(history.orders); own median gap=\(decimalText(own)) d over \(history.gaps) gaps; "
                    + "product cycle=\(productCycle); cycle used=\(decimalText(cycle)) d; due=\(CivilDate.format(due))")
        }
    }
}
