/// Win-back: valuable customers slipping away get a discount on their favourite category. A
/// customer qualifies by segment — in one of `offers.win_back_segments` with a monetary score of
/// at least `offers.win_back_min_m_score` — or by customer value: P(alive) below
/// `offers.win_back_p_alive_below` in a CLV decile of at least `offers.win_back_min_clv_decile`
/// (the reason then says so). Propensity 0.04 + 0.02 × monetary score.
struct WinBackOffers: OfferGenerator {
    let type = OfferType.winBack

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        guard let mScore = customer.mScore, let favourite = customer.favouriteCategory(run.catalog) else { return }
        let bySegment = run.config.winBackSegments.contains(customer.segment) && mScore >= run.config.winBackMinMonetaryScore
        var slipping: (probabilityAlive: Double, clvDecile: Int)?
        if let value = customer.value, value.trusted, let alive = value.probabilityAlive, let decile = value.clvDecile,
           alive < run.config.winBackPAliveBelow, decile >= run.config.winBackMinCLVDecile {
            slipping = (alive, decile)
        }
        guard bySegment || slipping != nil else { return }
        candidates.append(OfferCandidate(type: type, categoryKey: favourite.key, discountPct: run.discount(type), propensity: 0.04 + 0.02 * Double(mScore),
                                         facts: .winBack(spentMinor: favourite.spentMinor, slipping: bySegment ? nil : slipping)))
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        let pct = candidate.discountPct
        let text: OfferText = pct > 0 ? "We miss you: \(pct)% off \(categoryId), your favourite category" : "We miss you: new in \(categoryId), your favourite category"
        guard case let .winBack(_, slipping?) = candidate.facts else { return text }
        return text + " (slipping away: P(alive) \(NumberFormat.forPeople(slipping.probabilityAlive)), CLV decile \(slipping.clvDecile))"
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .winBack(spent, slipping) = candidate.facts else { return .empty }
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        let rule: OfferText
        if let slipping {
            rule = "P(alive) \(NumberFormat.forPeople(slipping.probabilityAlive)) < \(NumberFormat.shortest(run.config.winBackPAliveBelow)), CLV decile \(slipping.clvDecile) ≥ \(run.config.winBackMinCLVDecile)"
        } else {
            rule = "segment \(customer.segment); m_score=\(customer.mScore.map(String.init) ?? "-")"
        }
        return rule + "; last purchase \(customer.recencyDays.map { "\($0) days ago" } ?? "unknown"); spent \(money: spent) in \(categoryId)"
    }
}
