import Foundation

/// Replenishment: a product the customer buys again and again, due now by the customer's own
/// rhythm. The cycle is the median gap between their purchase days, shrunk toward the product's
/// cycle (from enrich) when they have few gaps: (gaps × own + k × product) / (gaps + k), with
/// k = `offers.replenish_shrink_gaps`. Due = last purchase + cycle; offered when due within
/// `offers.replenish_due_window_days` either side of as_of. Propensity 0.15 … 0.5, highest on the due day.
struct ReplenishmentOffers: OfferGenerator {
    let type = OfferType.replenishment

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        let window = Double(run.config.replenishDueWindowDays)
        let shrink = Double(run.config.replenishShrinkGaps)
        for history in customer.products {
            let product = run.catalog.products[Int(history.product)]
            guard product.active, let own = history.medianGapDays else { continue }
            let gaps = Double(history.gaps)
            let cycle = product.replenishDays.map { (gaps * own + shrink * $0) / (gaps + shrink) } ?? own
            guard cycle >= 1 else { continue }
            let daysToDue = Double(Self.due(lastDay: history.lastDay, cycleDays: cycle) - run.asOf)
            guard abs(daysToDue) <= window else { continue }
            let dueness = 1 - abs(daysToDue) / (window + 1)
            candidates.append(OfferCandidate(
                type: type, product: history.product, categoryKey: product.categoryKey, discountPct: run.discount(type),
                propensity: 0.15 + 0.35 * dueness,
                facts: .replenishment(lastDay: history.lastDay, purchaseDays: Int32(history.orders), gaps: Int32(history.gaps),
                                      ownGapDays: own, cycleDays: cycle)))
        }
    }

    static func due(lastDay: Int64, cycleDays: Double) -> Int64 { lastDay + Int64(cycleDays.rounded()) }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .replenishment(lastDay, _, _, _, cycle) = candidate.facts, let product = candidate.product else { return .empty }
        return "Time to restock \(run.catalog.products[Int(product)].name): bought every \(Int(cycle.rounded())) days, last on \(date: lastDay)"
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .replenishment(lastDay, purchaseDays, gaps, own, cycle) = candidate.facts, let product = candidate.product else { return .empty }
        let productCycle: OfferText = run.catalog.products[Int(product)].replenishDays.map { "\(decimal: $0) d" } ?? "unknown"
        return "purchase days=\(purchaseDays); own median gap=\(decimal: own) d over \(gaps) gaps; "
            + "product cycle=\(productCycle); cycle used=\(decimal: cycle) d; due=\(date: Self.due(lastDay: lastDay, cycleDays: cycle))"
    }
}
