/// Up-sell: a better product in a category the customer buys (their two biggest by spend): dearer
/// than the dearest product they bought there (at today's list price), at most `offers.upsell_price_step` times it, or marked premium;
/// popular (at least `offers.upsell_min_orders` orders); not bought yet. The category's bestseller
/// that qualifies is proposed. Propensity 0.03 … 0.10, rising with the customer's purchases there.
struct UpSellOffers: OfferGenerator {
    let type = OfferType.upSell

    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        var byCategory: [Int64: (spent: Int64, orders: Int, topPrice: Int64)] = [:]
        for history in customer.products {
            let product = run.catalog.products[Int(history.product)]
            guard let category = product.categoryKey else { continue }
            var entry = byCategory[category] ?? (0, 0, 0)
            entry.spent += history.spentMinor
            entry.orders += history.orders
            entry.topPrice = max(entry.topPrice, product.priceMinor)
            byCategory[category] = entry
        }
        let categories = byCategory.sorted { $0.value.spent != $1.value.spent ? $0.value.spent > $1.value.spent : $0.key < $1.key }.prefix(2)
        return categories.compactMap { category, entry in
            let ceiling = Double(entry.topPrice) * run.config.upsellPriceStep
            let catalog = run.catalog, minOrders = run.config.upsellMinOrders
            let pick = (catalog.byCategory[category] ?? []).first { index in
                let price = catalog.priceOf[Int(index)]
                guard catalog.ordersOf[Int(index)] >= minOrders, Double(price) <= ceiling,
                      price > entry.topPrice || (catalog.isPremium[Int(index)] && price >= entry.topPrice) else { return false }
                return !customer.hasBought(index)
            }
            guard let pick else { return nil }
            let product = run.catalog.products[Int(pick)]
            let categoryId = run.catalog.categoryIds[category] ?? ""
            return OfferCandidate(
                type: type, product: pick, categoryKey: category, discountPct: run.discount(type),
                propensity: 0.03 + 0.07 * min(1, Double(entry.orders) / 5),
                reason: "A step up in \(categoryId): \(product.name) at \(moneyText(product.priceMinor))\(product.premium ? " (premium)" : "")",
                evidence: "category \(categoryId): \(entry.orders) purchase days, dearest bought lists at \(moneyText(entry.topPrice)); "
                    + "\(product.id) price \(moneyText(product.priceMinor)), \(product.orders) orders, premium=\(product.premium)")
        }
    }
}
