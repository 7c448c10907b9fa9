/// Welcome: registered customers (in customers.csv) without a purchase in the figures window
/// (all history unless `segment.lookback_days` is set) get the shop's
/// bestsellers (`offers.welcome_bestsellers` of them). Propensity 0.06 for the first, less for the next.
struct WelcomeOffers: OfferGenerator {
    let type = OfferType.welcome

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        guard customer.registered, customer.frequency == 0 else { return }
        for (position, index) in run.catalog.bestsellers.prefix(run.config.welcomeBestsellers).enumerated() {
            candidates.append(OfferCandidate(type: type, product: index, categoryKey: run.catalog.categoryOf[Int(index)], discountPct: run.discount(type),
                                             propensity: 0.06 / Double(position + 1), facts: .welcome(position: Int32(position))))
        }
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard let index = candidate.product else { return .empty }
        let pct = candidate.discountPct
        return "Welcome! Our bestseller \(run.catalog.products[Int(index)].name)" + (pct > 0 ? ", \(pct)% off your first order" : "")
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .welcome(position) = candidate.facts, let index = candidate.product else { return .empty }
        let product = run.catalog.products[Int(index)]
        return "no purchase yet; \(product.id) is bestseller #\(position + 1) with \(product.orders) orders"
    }
}
