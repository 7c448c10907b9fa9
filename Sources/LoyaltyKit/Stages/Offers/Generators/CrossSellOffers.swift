import Foundation

/// Cross-sell: a product that goes with what the customer bought, from the pairs stage's partners
/// (lift above 1, active). Each past product weighs by its time-decayed affinity (half-life
/// `offers.half_life_days`); a partner reached from several products keeps its best source.
/// Propensity = confidence × (1 − e^(−affinity)), at most 0.4; the customer's five best are proposed.
struct CrossSellOffers: OfferGenerator {
    let type = OfferType.crossSell
    static let perCustomer = 5

    private struct Reach {
        let partner: Int32
        let propensity: Double
        /// Indexes into the customer's products and the catalog's partner list.
        let source: Int32
        let rule: Int32

        /// Better first: higher propensity, then the smaller partner, then the earlier product.
        func isBetter(than other: Reach) -> Bool {
            (-propensity, partner, source) < (-other.propensity, other.partner, other.source)
        }
    }

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        // The five best partners, each by its best reach, kept in one pass: a partner enters when
        // it beats the fifth, and a better reach of a listed partner replaces its own. A partner
        // pushed out cannot belong: five distinct partners already beat its best reach so far,
        // and a later reach of it is judged again.
        var best: [Reach] = []
        best.reserveCapacity(Self.perCustomer + 1)
        let starts = run.catalog.partnerStarts, partners = run.catalog.partnerProducts, confidences = run.catalog.partnerConfidences
        for (sourceIndex, history) in customer.products.enumerated() {
            let weight = 1 - exp(-history.affinity)
            for ruleIndex in starts[Int(history.product)]..<starts[Int(history.product) + 1] {
                let reach = Reach(partner: partners[ruleIndex], propensity: min(0.4, confidences[ruleIndex] * weight),
                                  source: Int32(sourceIndex), rule: Int32(ruleIndex))
                if best.count == Self.perCustomer, !reach.isBetter(than: best[best.count - 1]) {
                    // The list is by confidence: no later partner of this product can do better.
                    if reach.propensity < best[best.count - 1].propensity { break }
                    continue
                }
                // The catalog's list holds only active partners with a lift above 1.
                guard !customer.hasBought(reach.partner) else { continue }
                if let listed = best.firstIndex(where: { $0.partner == reach.partner }) {
                    guard reach.isBetter(than: best[listed]) else { continue }
                    best.remove(at: listed)
                }
                let at = best.firstIndex { reach.isBetter(than: $0) } ?? best.count
                best.insert(reach, at: at)
                if best.count > Self.perCustomer { best.removeLast() }
            }
        }
        for reach in best {
            let history = customer.products[Int(reach.source)]
            candidates.append(OfferCandidate(
                type: type, product: reach.partner, categoryKey: run.catalog.categoryOf[Int(reach.partner)], discountPct: run.discount(type),
                propensity: reach.propensity,
                facts: .crossSell(source: history.product, lastDay: history.lastDay, rule: reach.rule, affinity: history.affinity)))
        }
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .crossSell(source, lastDay, rule, _) = candidate.facts, let target = candidate.product else { return .empty }
        let products = run.catalog.products
        return "Goes with \(products[Int(source)].name), bought on \(date: lastDay): "
            + "\(percent: run.catalog.partnerList[Int(rule)].confidence) of orders with it also hold \(products[Int(target)].name)"
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .crossSell(source, _, ruleIndex, affinity) = candidate.facts, let target = candidate.product else { return .empty }
        let rule = run.catalog.partnerList[Int(ruleIndex)], products = run.catalog.products
        return "rule \(products[Int(source)].id) → \(products[Int(target)].id); confidence=\(decimal: rule.confidence); "
            + "lift=\(decimal: rule.lift); orders together=\(rule.together); affinity=\(decimal: affinity)"
    }
}
