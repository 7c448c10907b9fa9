/// Favourite-item discount: the product the customer bought on the most days (ties: more units,
/// then catalog order), at least `offers.favourite_min_orders` days. Propensity 0.1 … 0.3 with
/// the number of purchase days (10 or more: 0.3).
struct FavouriteItemOffers: OfferGenerator {
    let type = OfferType.favouriteItem

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        let favourite = customer.products.filter { run.catalog.products[Int($0.product)].active }.max { a, b in
            if a.orders != b.orders { return a.orders < b.orders }
            if a.units != b.units { return a.units < b.units }
            return a.product > b.product
        }
        guard let favourite, favourite.orders >= run.config.favouriteMinOrders else { return [] }
        let product = run.catalog.products[Int(favourite.product)]
        let pct = run.discount(type)
        return [OfferCandidate(
            type: type, product: favourite.product, categoryKey: product.categoryKey, discountPct: pct,
            propensity: 0.1 + 0.2 * min(1, Double(favourite.orders) / 10),
            reason: "Your favourite, \(product.name), bought on \(favourite.orders) days" + (pct > 0 ? ": \(pct)% off" : ""),
            evidence: "purchase days=\(favourite.orders); units=\(favourite.units); last on \(CivilDate.format(favourite.lastDay))")]
    }
}
