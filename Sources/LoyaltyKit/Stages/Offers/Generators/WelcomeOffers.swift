/// Welcome: registered customers (in customers.csv) without a purchase in the figures window
/// (all history unless `segment.lookback_days` is set) get the shop's
/// bestsellers (`offers.welcome_bestsellers` of them). Propensity 0.06 for the first, less for the next.
struct WelcomeOffers: OfferGenerator {
    let type = OfferType.welcome

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        guard customer.registered, customer.frequency == 0 else { return [] }
        let pct = run.discount(type)
        return run.catalog.bestsellers.prefix(run.config.welcomeBestsellers).enumerated().map { position, index in
            let product = run.catalog.products[Int(index)]
            return OfferCandidate(
                type: type, product: index, categoryKey: product.categoryKey, discountPct: pct, propensity: 0.06 / Double(position + 1),
                reason: "Welcome! Our bestseller \(product.name)" + (pct > 0 ? ", \(pct)% off your first order" : ""),
                evidence: "no purchase yet; \(product.id) is bestseller #\(position + 1) with \(product.orders) orders")
        }
    }
}
