/// New arrivals: products marked `new` by enrich in the customer's favourite category (most
/// spend), not bought yet, bestsellers first, at most two. Propensity 0.04 … 0.10 with the
/// category's share of the customer's spend.
struct NewArrivalOffers: OfferGenerator {
    let type = OfferType.newArrival

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        guard let favourite = customer.favouriteCategory(run.catalog), let fresh = run.catalog.newByCategory[favourite.key] else { return }
        let totalSpent = customer.products.reduce(Int64(0)) { $0 + $1.spentMinor }
        let share = totalSpent > 0 ? Double(favourite.spentMinor) / Double(totalSpent) : 0
        var proposed = 0
        for index in fresh where proposed < 2 && !customer.hasBought(index) {
            candidates.append(OfferCandidate(type: type, product: index, categoryKey: favourite.key, discountPct: run.discount(type),
                                             propensity: 0.04 + 0.06 * share, facts: .newArrival(share: share)))
            proposed += 1
        }
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard let index = candidate.product else { return .empty }
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        return "New in \(categoryId), your favourite category: \(run.catalog.products[Int(index)].name)"
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .newArrival(share) = candidate.facts, let index = candidate.product else { return .empty }
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        return "\(run.catalog.products[Int(index)].id) is new; \(categoryId) is \(percent: share) of the customer's spend"
    }
}
