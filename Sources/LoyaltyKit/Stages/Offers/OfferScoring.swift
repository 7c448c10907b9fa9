import Foundation

/// Expected value of an offer: propensity × (margin − discount), in minor units. The discount is
/// a cost only when the offer is redeemed, so it is weighed by the propensity too.
///
/// - Propensity: the generator's, read as the chance the offer is taken up if the customer shops
///   while it is valid, times the chance they shop then: customer value's BG/NBD
///   `purchaseChance` over `offers.valid_days` (a newcomer's for customers without a purchase).
///   Without a trusted fit, a recency factor 0.6 + 0.1 × r_score (0.7 … 1.1) for scored
///   customers stands in for it, for everyone alike.
/// - Margin: of the product (price − cost, or price × `offers.margin_rate` without cost); for an
///   offer without a product (win-back, birthday, segment bonus) of the customer's average order
///   (× margin rate), and the discount applies to that order.
/// - Score: the expected value in currency units; offers rank by it (a customer no longer buying
///   gets a win-back first: `OfferArbitration.ranksBefore`).
enum OfferScoring {
    static func score(_ candidate: inout OfferCandidate, for customer: CustomerContext, in run: OfferRun) {
        let basisMinor: Int64, marginMinor: Int64
        if let index = candidate.product {
            basisMinor = run.catalog.priceOf[Int(index)]
            marginMinor = run.marginOf[Int(index)]
        } else {
            basisMinor = customer.averageOrderMinor ?? run.catalog.bestsellers.first.map { run.catalog.products[Int($0)].priceMinor } ?? 0
            marginMinor = Int64((Double(basisMinor) * run.config.marginRate).rounded())
        }
        if let chance = customer.value?.purchaseChance {
            candidate.propensity *= chance
        } else if let rScore = customer.rScore {
            candidate.propensity *= 0.6 + 0.1 * Double(rScore)
        }
        candidate.propensity = min(1, max(0, candidate.propensity))
        candidate.basisMinor = basisMinor
        candidate.marginMinor = marginMinor
        candidate.discountMinor = (basisMinor * Int64(candidate.discountPct) + 50) / 100
        let expected = candidate.propensity * Double(marginMinor - candidate.discountMinor)
        candidate.expectedValueMinor = Int64(expected.rounded())
        candidate.score = expected / Double(Money.scale)
    }

    /// Whether a discount leaves less margin than `offers.margin_floor` of the price.
    static func breaksMarginFloor(_ candidate: OfferCandidate, in run: OfferRun) -> Bool {
        guard candidate.discountPct > 0, candidate.basisMinor > 0 else { return false }
        return Double(candidate.marginMinor - candidate.discountMinor) < run.config.marginFloor * Double(candidate.basisMinor)
    }
}
