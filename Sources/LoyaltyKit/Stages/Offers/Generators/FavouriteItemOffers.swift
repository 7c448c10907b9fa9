/// Favourite-item discount: the product the customer bought on the most days (ties: more units,
/// then catalog order), at least `offers.favourite_min_orders` days. Propensity 0.1 … 0.3 with
/// the number of purchase days (10 or more: 0.3).
struct FavouriteItemOffers: OfferGenerator {
    let type = OfferType.favouriteItem

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        var favourite: CustomerHistory.ProductHistory?
        for history in customer.products where run.catalog.isActive[Int(history.product)] {
            guard let current = favourite else { favourite = history; continue }
            // Later products win only by more days or units: ties keep catalog order.
            if (history.orders, history.units) > (current.orders, current.units) { favourite = history }
        }
        guard let favourite, favourite.orders >= run.config.favouriteMinOrders else { return }
        candidates.append(OfferCandidate(
            type: type, product: favourite.product, categoryKey: run.catalog.categoryOf[Int(favourite.product)], discountPct: run.discount(type),
            propensity: 0.1 + 0.2 * min(1, Double(favourite.orders) / 10),
            facts: .favouriteItem(purchaseDays: Int32(favourite.orders), units: Int32(clamping: favourite.units), lastDay: favourite.lastDay)))
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .favouriteItem(purchaseDays, _, _) = candidate.facts, let index = candidate.product else { return .empty }
        let pct = candidate.discountPct
        return "Your favourite, \(run.catalog.products[Int(index)].name), bought on \(purchaseDays) days" + (pct > 0 ? ": \(pct)% off" : "")
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .favouriteItem(purchaseDays, units, lastDay) = candidate.facts else { return .empty }
        return "purchase days=\(purchaseDays); units=\(units); last on \(date: lastDay)"
    }
}
