import Foundation

/// Cross-sell: a product that goes with what the customer bought, from the pairs stage's partners
/// (lift above 1). Each past product weighs by its time-decayed affinity (half-life
/// `offers.half_life_days`); a partner reached from several products keeps its best source.
/// Propensity = confidence × (1 − e^(−affinity)), at most 0.4; the customer's five best are proposed.
struct CrossSellOffers: OfferGenerator {
    let type = OfferType.crossSell
    static let perCustomer = 5

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        var bought = Set<Int32>()
        for history in customer.products { bought.insert(history.product) }
        var best: [Int32: (propensity: Double, source: CustomerHistory.ProductHistory, partner: OfferCatalog.Partner)] = [:]
        for history in customer.products {
            for partner in run.catalog.partners[Int(history.product)] where partner.lift > 1 && !bought.contains(partner.product) {
                guard run.catalog.products[Int(partner.product)].active else { continue }
                let propensity = min(0.4, partner.confidence * (1 - exp(-history.affinity)))
                if let current = best[partner.product],
                   current.propensity > propensity || (current.propensity == propensity && current.source.product < history.product) {
                    continue
                }
                best[partner.product] = (propensity, history, partner)
            }
        }
        let chosen = best.sorted { $0.value.propensity != $1.value.propensity ? $0.value.propensity > $1.value.propensity : $0.key < $1.key }
        return chosen.prefix(Self.perCustomer).map { product, pick in
            let source = run.catalog.products[Int(pick.source.product)]
            let target = run.catalog.products[Int(product)]
            return OfferCandidate(
                type: type, product: product, categoryKey: target.categoryKey, discountPct: run.discount(type), propensity: pick.propensity,
                reason: "Goes with \(source.name), bought on \(run.date(pick.source.lastDay)): \(percentText(pick.partner.confidence)) of orders with it also hold \(target.name)",
                evidence: "rule \(source.id) → \(target.id); confidence=\(decimalText(pick.partner.confidence)); lift=\(decimalText(pick.partner.lift)); "
                    + "orders together=\(pick.partner.together); affinity=\(decimalText(pick.source.affinity))")
        }
    }
}
