import Foundation
import Testing
@testable import LoyaltyKit

/// The per-customer rules in their order, the scoring they rank by, and the control group.
@Suite struct OfferArbitrationTests {
    let asOf = OfferCase.asOf
    let catalog = OfferCase.catalog([
        OfferCase.product(1, "A", category: 1, price: 10_0000, cost: 6_0000), OfferCase.product(2, "B", category: 1, price: 20_0000, cost: 10_0000),
        OfferCase.product(3, "C", category: 2, price: 30_0000, cost: 29_0000), OfferCase.product(4, "D", category: 2, price: 40_0000),
    ])

    func candidate(_ type: OfferType, _ product: Int32?, propensity: Double, discount: Int = 0) -> OfferCandidate {
        OfferCandidate(type: type, product: product, categoryKey: product.map { catalog.products[Int($0)].categoryKey! }, discountPct: discount,
                       propensity: propensity, facts: .segmentBonus)
    }

    func scored(_ candidates: [OfferCandidate], _ customer: CustomerContext, _ run: OfferRun) -> [OfferCandidate] {
        candidates.map { var copy = $0; OfferScoring.score(&copy, for: customer, in: run); return copy }
    }

    @Test func expectedValueIsPropensityTimesMarginLessTheDiscount() {
        let run = OfferCase.run(catalog)
        var offer = candidate(.favouriteItem, 1, propensity: 0.2, discount: 10)
        OfferScoring.score(&offer, for: OfferCase.customer(rScore: 5), in: run)
        // Propensity 0.2 × (0.6 + 0.1 × 5) = 0.22; margin 20.00 − 10.00 = 10.00; discount 2.00; 0.22 × 8.00 = 1.76.
        #expect(offer.marginMinor == 10_0000 && offer.discountMinor == 2_0000)
        #expect(offer.expectedValueMinor == 1_7600)
        #expect(abs(offer.score - 1.76) < 1e-12)
        // With customer value the chance to shop while the offer is valid replaces the recency
        // factor: 0.2 × 0.25 = 0.05; 0.05 × 8.00 = 0.40.
        var valued = OfferCase.customer(rScore: 5)
        valued.value = ValueFigures(purchaseChance: 0.25)
        var withValue = candidate(.favouriteItem, 1, propensity: 0.2, discount: 10)
        OfferScoring.score(&withValue, for: valued, in: run)
        #expect(withValue.expectedValueMinor == 4000 && abs(withValue.propensity - 0.05) < 1e-15)
        // No cost: margin = price × margin_rate (0.3) = 12.00 of 40.00.
        var noCost = candidate(.crossSell, 3, propensity: 0.5)
        OfferScoring.score(&noCost, for: OfferCase.customer(), in: run)
        #expect(noCost.marginMinor == 12_0000 && noCost.expectedValueMinor == 6_0000)
    }

    @Test func rulesDropInTheirOrderWithTheirReasons() {
        let run = OfferCase.run(catalog, channels: OfferCase.channels(emailCap: 10)) { $0.maxPerCustomer = 2 }
        let customer = OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 5])])
        let candidates = scored([
            candidate(.favouriteItem, 0, propensity: 0.3, discount: 10),  // bought 5 days ago
            candidate(.replenishment, 0, propensity: 0.3),                 // replenishment may offer it again
            candidate(.crossSell, 2, propensity: 0.3, discount: 10),       // margin 1.00 − discount 3.00: below the floor
            candidate(.upSell, 1, propensity: 0.1),                        // same category as the replenishment (CAT1)
            candidate(.crossSell, 3, propensity: 0.09),
            candidate(.newArrival, 3, propensity: 0.05),                   // same product as the cross-sell
            candidate(.segmentBonus, nil, propensity: 0.01),               // third offer: over max_per_customer
        ], customer, run)
        // Scores: replenishment 0.3 × 4.00 = 1.20, cross-sell D 0.09 × 12.00 = 1.08, up-sell 0.1 × 10.00 = 1.00, new arrival 0.60.
        let decision = OfferArbitration.decide(candidates, for: customer, past: CustomerPast(), in: run)
        #expect(decision.channel == 0 && decision.status == .reachable)
        #expect(decision.kept.map(\.type) == [.replenishment, .crossSell])
        #expect(decision.dropped.map { "\($0.candidate.type.rawValue):\($0.reason.rawValue)" } == [
            "favourite_item:bought recently", "cross_sell:margin floor", "up_sell:category limit", "new_arrival:same product",
            "segment_bonus:max per customer",
        ])
    }

    @Test func winBackComesFirstForACustomerNoLongerBuying() {
        let run = OfferCase.run(catalog)
        let offers = { (customer: CustomerContext) in
            let candidates = self.scored([self.candidate(.crossSell, 3, propensity: 0.5), self.candidate(.winBack, nil, propensity: 0.01)], customer, run)
            return OfferArbitration.decide(candidates, for: customer, past: CustomerPast(), in: run).kept.map(\.type)
        }
        // Cross-sell scores 0.5 × 12.00 = 6.00, win-back 0.01 × 27.00 (the average order's margin) = 0.27.
        #expect(offers(OfferCase.customer(segment: "Loyal Customers")) == [.crossSell, .winBack])
        #expect(offers(OfferCase.customer(segment: "Lost")) == [.winBack, .crossSell])
        // Customer value decides too: P(alive) 0.3 is below win_back_p_alive_below (0.5) …
        var slipping = OfferCase.customer(segment: "Loyal Customers")
        slipping.value = ValueFigures(probabilityAlive: 0.3, trusted: true)
        #expect(offers(slipping) == [.winBack, .crossSell])
        // … but not from an untrusted fit, and not against the segment: BG/NBD gives a one-order
        // customer P(alive) 1 however long ago the order was.
        slipping.value = ValueFigures(probabilityAlive: 0.3, trusted: false)
        #expect(offers(slipping) == [.crossSell, .winBack])
        var oneOrder = OfferCase.customer(segment: "Lost")
        oneOrder.value = ValueFigures(probabilityAlive: 1, trusted: true)
        #expect(offers(oneOrder) == [.winBack, .crossSell])
    }

    @Test func rankByPropensityKeepsTheLikeliestOffersFirst() {
        let customer = OfferCase.customer(rScore: 4)
        let offers = { (ranking: OfferRanking) in
            let run = OfferCase.run(self.catalog) { $0.maxPerCustomer = 1; $0.rankBy = ranking }
            // Recency factor 0.6 + 0.1 × 4 = 1.0: A scores 0.3 × margin 4.00 = 1.20, B 0.2 × 10.00 = 2.00.
            let candidates = self.scored([self.candidate(.crossSell, 0, propensity: 0.3), self.candidate(.crossSell, 1, propensity: 0.2)],
                                         customer, run)
            let decision = OfferArbitration.decide(candidates, for: customer, past: CustomerPast(), in: run)
            return (decision.kept.map(\.product), decision.kept.map(\.score))
        }
        #expect(offers(.expectedValue).0 == [1])
        #expect(offers(.propensity).0 == [0])
        // The score written stays the expected value: 0.3 × 4.00.
        #expect(abs(offers(.propensity).1[0] - 1.2) < 1e-12)
    }

    @Test func noChannelWithoutConsentOrAddressAndSuppressionWins() {
        let run = OfferCase.run(catalog)
        let offer = scored([candidate(.crossSell, 3, propensity: 0.1)], OfferCase.customer(), run)
        func reasons(_ customer: CustomerContext, _ run: OfferRun) -> [OfferArbitration.DropReason] {
            OfferArbitration.decide(offer, for: customer, past: CustomerPast(), in: run).dropped.map(\.reason)
        }
        let noConsent = OfferCase.customer(consents: [])
        let noAddress = OfferCase.customer(consents: [.email, .sms], email: nil, phone: nil)
        #expect(reasons(noConsent, run) == [.noChannel])
        #expect(reasons(noAddress, run) == [.noChannel])
        // Email consent, but the address did not validate: that, not "no channel", is the reason.
        #expect(reasons(OfferCase.customer(email: nil, invalid: [.email]), run) == [.invalidAddress])
        // Suppressed on every channel (an unsubscribe) or on the one that reaches them (bit 0: email).
        #expect(reasons(OfferCase.customer(suppressed: .max), run) == [.suppressed])
        #expect(reasons(OfferCase.customer(suppressed: 1), run) == [.suppressed])
        // The furthest a customer got decides: an invalid phone (sms) beats no consent for push.
        let invalidPhone = OfferCase.customer(consents: [.sms], email: nil, phone: nil, invalid: [.phone])
        #expect(OfferArbitration.channel(for: invalidPhone, in: run).status == .invalidAddress)
        // Push needs consent only; the configured order picks the first reachable channel.
        let push = OfferCase.customer(consents: [.push, .sms], email: nil, phone: "+493012345678")
        #expect(OfferArbitration.channel(for: push, in: run).channel == 2)
        #expect(OfferArbitration.channel(for: push, in: OfferCase.run(catalog) { $0.channels = ["sms", "push"] }).channel == 1)
        // Suppressed on sms only (bit 1): push, next in line, carries the offers.
        let smsSuppressed = OfferCase.customer(consents: [.push, .sms], email: nil, phone: "+493012345678", suppressed: 2)
        #expect(OfferArbitration.channel(for: smsSuppressed, in: OfferCase.run(catalog) { $0.channels = ["sms", "push"] }).channel == 2)
        // A card channel needs no consent and no address: it reaches the customer nothing else does.
        let card = ContactChannel(name: "card", consent: nil, address: .customerId, format: .csv, cap: nil)
        let withCard = OfferCase.run(catalog, channels: ContactChannel.builtIn + [card]) { $0.channels = ["email", "push", "sms", "card"] }
        #expect(OfferArbitration.channel(for: noConsent, in: withCard).channel == 3)
        #expect(reasons(noConsent, withCard).isEmpty)
        // … unless suppressed there too.
        #expect(reasons(OfferCase.customer(consents: [], suppressed: .max), withCard) == [.suppressed])
    }

    @Test func coolDownAndContactCapsReadEarlierOffers() {
        let run = OfferCase.run(catalog, channels: OfferCase.channels(emailCap: 2))
        let customer = OfferCase.customer()
        let offers = scored([candidate(.crossSell, 3, propensity: 0.3), candidate(.upSell, 1, propensity: 0.2)], customer, run)
        let recent = [(PastOffer(day: asOf - 3, type: .crossSell, product: 3), channel: 0)]
        let decision = OfferArbitration.decide(offers, for: customer, past: CustomerPast(recent, asOf: asOf, config: run.config), in: run)
        #expect(decision.dropped.map(\.reason) == [.coolDown])
        // 20 days ago: out of the 14-day cool-down, but still one of the 2 contacts in 30 days.
        let older = [(PastOffer(day: asOf - 20, type: .crossSell, product: 3), channel: 0)]
        let second = OfferArbitration.decide(offers, for: customer, past: CustomerPast(older, asOf: asOf, config: run.config), in: run)
        #expect(second.kept.map(\.type) == [.crossSell])
        #expect(second.dropped.map(\.reason) == [.contactCap])
    }

    @Test func holdoutIsStratifiedDeterministicAndRotates() {
        var customers: [(id: String, segment: String)] = []
        for index in 0..<10_000 { customers.append(("C\(index)", index % 10 < 7 ? "Loyal" : "Lost")) }
        let november = OfferHoldout.controlGroup(customers: customers, share: 0.05, salt: "s", period: "2026-11")
        #expect(november == OfferHoldout.controlGroup(customers: customers, share: 0.05, salt: "s", period: "2026-11"))
        // Exactly round(5% × size) per segment: 350 of 7,000 and 150 of 3,000.
        #expect(zip(customers, november).filter { $0.0.segment == "Loyal" && $0.1 }.count == 350)
        #expect(zip(customers, november).filter { $0.0.segment == "Lost" && $0.1 }.count == 150)
        // A new month draws a new group: the overlap is about 5% of 500, far below 500 (binomial, ±4 sd).
        let december = OfferHoldout.controlGroup(customers: customers, share: 0.05, salt: "s", period: "2026-12")
        let overlap = zip(november, december).filter { $0 && $1 }.count
        #expect(overlap < 60)
        #expect(OfferHoldout.period(of: asOf, rotation: .month) == "2026-11")
        #expect(OfferHoldout.period(of: asOf, rotation: .quarter) == "2026-Q4")
    }

    @Test func offerIdsAreStable() {
        let id = OfferHoldout.offerId(asOf: "2026-11-21", customerId: "C1", type: .crossSell, productId: "P1")
        #expect(id == OfferHoldout.offerId(asOf: "2026-11-21", customerId: "C1", type: .crossSell, productId: "P1"))
        #expect(id.hasPrefix("OF-") && id.count == 19)
        // The parts are hashed as one text joined by "|", and the number is written as 16 hex digits.
        let number = stableHash("2026-11-21|C1|cross_sell|P1")
        #expect(id == "OF-" + String(repeating: "0", count: 16 - String(number, radix: 16).count) + String(number, radix: 16))
        #expect(OfferHoldout.offerId(number: 0xAB) == "OF-00000000000000ab")
        #expect(OfferHoldout.offerId(number: .max) == "OF-ffffffffffffffff")
        #expect(id != OfferHoldout.offerId(asOf: "2026-11-22", customerId: "C1", type: .crossSell, productId: "P1"))
        #expect(id != OfferHoldout.offerId(asOf: "2026-11-21", customerId: "C1", type: .upSell, productId: "P1"))
    }
}
