/// Segment bonus: the bonus `offers.segment_bonus` names for the customer's segment (e.g.
/// Champions → early access). Propensity 0.1.
struct SegmentBonusOffers: OfferGenerator {
    let type = OfferType.segmentBonus

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        guard let bonus = run.config.segmentBonus[customer.segment] else { return [] }
        return [OfferCandidate(
            type: type, discountPct: run.discount(type), propensity: 0.1,
            reason: "As one of our \(customer.segment): \(bonus)",
            evidence: "segment \(customer.segment); r/f/m scores from the segment stage")]
    }
}
