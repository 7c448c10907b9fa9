/// Win-back: valuable customers slipping away — in one of `offers.win_back_segments` with a
/// monetary score of at least `offers.win_back_min_m_score` — get a discount on their favourite
/// category. Propensity 0.04 + 0.02 × monetary score.
struct WinBackOffers: OfferGenerator {
    let type = OfferType.winBack

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        guard run.config.winBackSegments.contains(customer.segment), let mScore = customer.mScore,
              mScore >= run.config.winBackMinMonetaryScore, let favourite = customer.favouriteCategory(run.catalog) else { return [] }
        let categoryId = run.catalog.categoryIds[favourite.key] ?? ""
        let pct = run.discount(type)
        return [OfferCandidate(
            type: type, categoryKey: favourite.key, discountPct: pct, propensity: 0.04 + 0.02 * Double(mScore),
            reason: pct > 0 ? "We miss you: \(pct)% off \(categoryId), your favourite category" : "We miss you: new in \(categoryId), your favourite category",
            evidence: "segment \(customer.segment); m_score=\(mScore); last purchase \(customer.recencyDays.map { "\($0) days ago" } ?? "unknown"); "
                + "spent \(moneyText(favourite.spentMinor)) in \(categoryId)")]
    }
}
