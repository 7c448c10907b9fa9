/// Segment bonus: the bonus `offers.segment_bonus` names for the customer's segment (e.g.
/// Champions → early access). Propensity 0.1.
struct SegmentBonusOffers: OfferGenerator {
    let type = OfferType.segmentBonus

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        guard run.config.segmentBonus[customer.segment] != nil else { return }
        candidates.append(OfferCandidate(type: type, discountPct: run.discount(type), propensity: 0.1, facts: .segmentBonus))
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        "As one of our \(customer.segment): \(run.config.segmentBonus[customer.segment] ?? "")"
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        "segment \(customer.segment); r/f/m scores from the segment stage"
    }
}
