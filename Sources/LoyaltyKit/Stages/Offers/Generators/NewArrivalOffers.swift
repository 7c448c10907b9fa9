/// New arrivals: products marked `new` by enrich in the customer's favourite category (most
/// spend), not bought yet, bestsellers first, at most two. Propensity 0.04 … 0.10 with the
/// category's share of the customer's spend.
struct NewArrivalOffers: OfferGenerator {
    let type = OfferType.newArrival

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        guard let favourite = customer.favouriteCategory(run.catalog) else { return [] }
        let totalSpent = customer.products.reduce(Int64(0)) { $0 + $1.spentMinor }
        let share = totalSpent > 0 ? Double(favourite.spentMinor) / Double(totalSpent) : 0
        let categoryId = run.catalog.categoryIds[favourite.key] ?? ""
        let picks = (run.catalog.newByCategory[favourite.key] ?? []).lazy.filter { !customer.hasBought($0) }.prefix(2)
        return picks.map { index in
            let product = run.catalog.products[Int(index)]
            return OfferCandidate(
                type: type, product: index, categoryKey: favourite.key, discountPct: run.discount(type), propensity: 0.04 + 0.06 * share,
                reason: "New in \(categoryId), your favourite category: \(product.name)",
                evidence: "\(product.id) is new; \(categoryId) is \(percentText(share)) of the customer's spend")
        }
    }
}
