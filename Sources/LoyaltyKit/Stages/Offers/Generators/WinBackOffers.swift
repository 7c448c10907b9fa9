/// Win-back: valuable customers slipping away — in one of `offers.win_back_segments` with a
/// monetary score of at least `offers.win_back_min_m_score` — get a discount on their favourite
/// category. Propensity 0.04 + 0.02 × monetary score.
struct WinBackOffers: OfferGenerator {
    let type = OfferType.winBack

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        guard run.config.winBackSegments.contains(customer.segment), let mScore = customer.mScore,
              mScore >= run.config.winBackMinMonetaryScore, let favourite = customer.favouriteCategory(run.catalog) else { return }
        candidates.append(OfferCandidate(type: type, categoryKey: favourite.key, discountPct: run.discount(type), propensity: 0.04 + 0.02 * Double(mScore),
                                         facts: .winBack(spentMinor: favourite.spentMinor)))
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        let pct = candidate.discountPct
        return pct > 0 ? "We miss you: \(pct)% off \(categoryId), your favourite category" : "We miss you: new in \(categoryId), your favourite category"
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .winBack(spent) = candidate.facts else { return .empty }
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        return "segment \(customer.segment); m_score=\(customer.mScore.map(String.init) ?? "-"); "
            + "last purchase \(customer.recencyDays.map { "\($0) days ago" } ?? "unknown"); spent \(money: spent) in \(categoryId)"
    }
}
