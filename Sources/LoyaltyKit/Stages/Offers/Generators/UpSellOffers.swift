/// Up-sell: a better product in a category the customer buys (their two biggest by spend): dearer
/// than the dearest product they bought there (at today's list price), at most `offers.upsell_price_step` times it, or marked premium;
/// popular (at least `offers.upsell_min_orders` orders); not bought yet. The category's bestseller
/// that qualifies is proposed. Propensity 0.03 … 0.10, rising with the customer's purchases there.
struct UpSellOffers: OfferGenerator {
    let type = OfferType.upSell

    private struct CategorySpend {
        let key: Int64
        var spent: Int64 = 0
        var orders = 0
        var topPrice: Int64 = 0
    }

    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate]) {
        guard customer.isStillBuying(run.config) else { return }
        let catalog = run.catalog
        // A customer buys in a handful of categories: a short list beats a dictionary.
        var categories: [CategorySpend] = []
        for history in customer.products {
            guard let category = catalog.categoryOf[Int(history.product)] else { continue }
            var at = categories.firstIndex { $0.key == category }
            if at == nil {
                categories.append(CategorySpend(key: category))
                at = categories.count - 1
            }
            categories[at!].spent += history.spentMinor
            categories[at!].orders += history.orders
            categories[at!].topPrice = max(categories[at!].topPrice, catalog.priceOf[Int(history.product)])
        }
        categories.sort { $0.spent != $1.spent ? $0.spent > $1.spent : $0.key < $1.key }
        for entry in categories.prefix(2) {
            let ceiling = Double(entry.topPrice) * run.config.upsellPriceStep
            let minOrders = run.config.upsellMinOrders
            let pick = (catalog.byCategory[entry.key] ?? []).first { index in
                let price = catalog.priceOf[Int(index)]
                guard catalog.ordersOf[Int(index)] >= minOrders, Double(price) <= ceiling,
                      price > entry.topPrice || (catalog.isPremium[Int(index)] && price >= entry.topPrice) else { return false }
                return !customer.hasBought(index)
            }
            guard let pick else { continue }
            candidates.append(OfferCandidate(
                type: type, product: pick, categoryKey: entry.key, discountPct: run.discount(type),
                propensity: 0.03 + 0.07 * min(1, Double(entry.orders) / 5),
                facts: .upSell(purchaseDays: Int32(entry.orders), topPriceMinor: entry.topPrice)))
        }
    }

    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard let index = candidate.product else { return .empty }
        let product = run.catalog.products[Int(index)]
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        return "A step up in \(categoryId): \(product.name) at \(money: product.priceMinor)\(product.premium ? " (premium)" : "")"
    }

    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText {
        guard case let .upSell(purchaseDays, topPrice) = candidate.facts, let index = candidate.product else { return .empty }
        let product = run.catalog.products[Int(index)]
        let categoryId = candidate.categoryKey.flatMap { run.catalog.categoryIds[$0] } ?? ""
        return "category \(categoryId): \(purchaseDays) purchase days, dearest bought lists at \(money: topPrice); "
            + "\(product.id) price \(money: product.priceMinor), \(product.orders) orders, premium=\(product.premium)"
    }
}
