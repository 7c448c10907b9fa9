import Foundation

/// Cross-sell: a product that goes with what the customer bought, from the pairs stage's partners
/// (lift above 1). Each past product weighs by its time-decayed affinity (half-life
/// `offers.half_life_days`); a partner reached from several products keeps its best source.
/// Propensity = confidence × (1 − e^(−affinity)), at most 0.4; the customer's five best are proposed.
struct CrossSellOffers: OfferGenerator {
    let type = OfferType.crossSell
    static let perCustomer = 5

    private struct Reach {
        let partner: Int32
        let propensity: Double
        /// Indexes into the customer's products and the source product's partners.
        let source: Int32
        let rule: Int32
    }

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        var reaches: [Reach] = []
        reaches.reserveCapacity(customer.products.count * 10)
        let starts = run.catalog.partnerStarts, list = run.catalog.partnerList, isActive = run.catalog.isActive
        for (sourceIndex, history) in customer.products.enumerated() {
            let weight = 1 - exp(-history.affinity)
            let first = starts[Int(history.product)]
            for ruleIndex in first..<starts[Int(history.product) + 1] {
                let partner = list[ruleIndex]
                guard partner.lift > 1, isActive[Int(partner.product)], !customer.hasBought(partner.product) else { continue }
                reaches.append(Reach(partner: partner.product, propensity: min(0.4, partner.confidence * weight),
                                     source: Int32(sourceIndex), rule: Int32(ruleIndex)))
            }
        }
        guard !reaches.isEmpty else { return [] }
        // The best reach of a partner not chosen yet, five times: each is its partner's best
        // source (ties: the smaller partner, then the earlier product). Cheaper than sorting.
        var best: [Reach] = []
        while best.count < Self.perCustomer {
            var pick: Reach?
            for reach in reaches where !best.contains(where: { $0.partner == reach.partner }) {
                guard let current = pick else { pick = reach; continue }
                if (-reach.propensity, reach.partner, reach.source) < (-current.propensity, current.partner, current.source) { pick = reach }
            }
            guard let pick else { break }
            best.append(pick)
        }
        return best.map { reach in
            let history = customer.products[Int(reach.source)]
            let rule = list[Int(reach.rule)]
            let source = run.catalog.products[Int(history.product)]
            let target = run.catalog.products[Int(reach.partner)]
            return OfferCandidate(
                type: type, product: reach.partner, categoryKey: target.categoryKey, discountPct: run.discount(type), propensity: reach.propensity,
                reason: "Goes with \(source.name), bought on \(CivilDate.format(history.lastDay)): \(percentText(rule.confidence)) of orders with it also hold \(target.name)",
                evidence: "rule \(source.id) → \(target.id); confidence=\(decimalText(rule.confidence)); lift=\(decimalText(rule.lift)); "
                    + "orders together=\(rule.together); affinity=\(decimalText(history.affinity))")
        }
    }
}
