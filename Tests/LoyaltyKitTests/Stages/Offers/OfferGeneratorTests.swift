import Foundation
import Testing
@testable import LoyaltyKit

/// Each offer type on hand-made cases: who gets it, who does not, and the reason text.
@Suite struct OfferGeneratorTests {
    let asOf = OfferCase.asOf

    @Test func replenishmentIsDueByTheCustomersOwnCycle() {
        let catalog = OfferCase.catalog([OfferCase.product(1, "TEA")])
        let run = OfferCase.run(catalog)
        // Gaps 30 and 30: cycle 30, last purchase 28 days ago → due in 2 days, inside the 7-day window.
        let due = OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 88, asOf - 58, asOf - 28])])
        let offers = ReplenishmentOffers().candidates(for: due, in: run)
        #expect(offers.count == 1)
        #expect(offers.first?.reason(for: due, in: run) == "Time to restock Item TEA: bought every 30 days, last on 2026-10-24")
        #expect(abs((offers.first?.propensity ?? 0) - (0.15 + 0.35 * (1 - 2.0 / 8))) < 1e-12)
        #expect(offers.first?.discountPct == 5)
        // Last purchase 10 days ago: due in 20 days, not yet. One purchase: no cycle.
        #expect(ReplenishmentOffers().candidates(for: OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 70, asOf - 40, asOf - 10])]), in: run).isEmpty)
        #expect(ReplenishmentOffers().candidates(for: OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 30])]), in: run).isEmpty)
    }

    @Test func replenishmentShrinksFewGapsTowardTheProductCycle() {
        // Own gaps 30, 30 (2 gaps), product cycle 60, k = 3: (2·30 + 3·60) / 5 = 48; last 46 days ago → due in 2 days.
        let catalog = OfferCase.catalog([OfferCase.product(1, "TEA", replenishDays: 60)])
        let customer = OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 106, asOf - 76, asOf - 46])])
        let run = OfferCase.run(catalog)
        let offers = ReplenishmentOffers().candidates(for: customer, in: run)
        #expect(offers.map { $0.reason(for: customer, in: run) } == ["Time to restock Item TEA: bought every 48 days, last on 2026-10-06"])
        #expect(offers.first?.evidence(for: customer, in: run) == "purchase days=3; own median gap=30.00 d over 2 gaps; product cycle=60.00 d; cycle used=48.00 d; due=2026-11-23")
    }

    @Test func crossSellProposesPartnersNotYetBoughtWithLiftAboveOne() {
        let partners: [Int32: [OfferCatalog.Partner]] = [0: [.init(product: 1, confidence: 0.5, lift: 2, together: 8),
                                                            .init(product: 2, confidence: 0.9, lift: 0.8, together: 9),
                                                            .init(product: 3, confidence: 0.6, lift: 3, together: 7)]]
        let catalog = OfferCase.catalog([OfferCase.product(1, "A"), OfferCase.product(2, "B"), OfferCase.product(3, "C"), OfferCase.product(4, "D")],
                                        partners: partners)
        let history = OfferCase.bought(0, days: [asOf - 10])
        let customer = OfferCase.customer(products: [history, OfferCase.bought(3, days: [asOf - 5])])
        let run = OfferCase.run(catalog)
        let offers = CrossSellOffers().candidates(for: customer, in: run)
        // D is bought already and C has a lift below 1: only B qualifies.
        #expect(offers.map(\.product) == [1])
        let expected = 0.5 * (1 - exp(-history.affinity)) // affinity 0.5^(10/90) = 0.93
        #expect(abs(offers[0].propensity - expected) < 1e-12)
        #expect(offers[0].reason(for: customer, in: run) == "Goes with Item A, bought on 2026-11-11: 50% of orders with it also hold Item B")
        #expect(offers[0].evidence(for: customer, in: run) == "rule A → B; confidence=0.50; lift=2.00; orders together=8; affinity=0.93; products leading to it=1")
    }

    @Test func crossSellAddsUpTheEvidenceOfEveryProductLeadingToAPartner() {
        // A and D both lead to B; A also leads to C, more strongly than to B.
        let partners: [Int32: [OfferCatalog.Partner]] = [0: [.init(product: 2, confidence: 0.6, lift: 3, together: 9),
                                                            .init(product: 1, confidence: 0.5, lift: 2, together: 8)],
                                                        3: [.init(product: 1, confidence: 0.4, lift: 1.5, together: 6)]]
        let catalog = OfferCase.catalog([OfferCase.product(1, "A"), OfferCase.product(2, "B"), OfferCase.product(3, "C"), OfferCase.product(4, "D")],
                                        partners: partners)
        let a = OfferCase.bought(0, days: [asOf - 10]), d = OfferCase.bought(3, days: [asOf - 5, asOf - 40])
        let customer = OfferCase.customer(products: [a, d])
        let run = OfferCase.run(catalog)
        let offers = CrossSellOffers().candidates(for: customer, in: run)
        let fromA = 1 - exp(-a.affinity), fromD = 1 - exp(-d.affinity) // affinities 0.926 and 1.697: weights 0.604, 0.817
        let toB = 1 - (1 - 0.5 * fromA) * (1 - 0.4 * fromD) // 1 − 0.698 × 0.674 = 0.530
        #expect(offers.map(\.product) == [1, 2])
        #expect(abs(offers[0].propensity - toB) < 1e-12)
        #expect(abs(offers[0].propensity - 0.5296) < 1e-3)
        #expect(offers[1].propensity == 0.6 * fromA)
        // Explained by its strongest source: D (0.4 × 0.817 = 0.327) beats A (0.5 × 0.604 = 0.302).
        #expect(offers[0].reason(for: customer, in: run)
            == "Goes with Item D, bought on 2026-11-16: 40% of orders with it also hold Item B (and one more of your products leads to it)")
        #expect(offers[0].evidence(for: customer, in: run)
            == "rule D → B; confidence=0.40; lift=1.50; orders together=6; affinity=1.70; products leading to it=2")
    }

    @Test func crossSellKeepsTheTenBestPartnersAsABruteForceRankingDoes() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let count = 30
            let products = (1...count).map { OfferCase.product(Int64($0), "P\($0)", active: random.next() % 5 != 0) }
            var partners: [Int32: [OfferCatalog.Partner]] = [:]
            for product in 0..<Int32(count) {
                partners[product] = (0..<Int(random.next() % 12)).map { _ in
                    // Coarse confidences, so equal propensities (and the tie rules) occur.
                    OfferCatalog.Partner(product: Int32(random.next() % UInt64(count)), confidence: Double(random.next() % 5) / 5,
                                         lift: Double(random.next() % 4) / 2, together: 3)
                }
            }
            let catalog = OfferCase.catalog(products, partners: partners)
            let bought = Set((0..<Int(random.next() % 8)).map { _ in Int32(random.next() % UInt64(count)) }).sorted()
            let customer = OfferCase.customer(products: bought.map { OfferCase.bought($0, days: [asOf - Int64(random.next() % 300)]) })
            // Brute force: every reach, grouped by partner, strongest first, folded as 1 − Π(1 − strength)
            // (p + s − p·s, the generator's order of operations, so equal figures compare equal).
            var reaches: [Int32: [(strength: Double, source: Int)]] = [:]
            for (source, history) in customer.products.enumerated() {
                for partner in partners[history.product] ?? [] where partner.lift > 1 && products[Int(partner.product)].active && !bought.contains(partner.product) {
                    reaches[partner.product, default: []].append((partner.confidence * (1 - exp(-history.affinity)), source))
                }
            }
            let expected = reaches.map { partner, own in
                let ordered = own.sorted { ($0.strength, -$0.source) > ($1.strength, -$1.source) }
                let propensity = ordered.reduce(0.0) { $0 + ($1.strength - $0 * $1.strength) }
                return (partner: partner, propensity: propensity, source: ordered[0].source)
            }.sorted { ($0.propensity, -$0.partner) > ($1.propensity, -$1.partner) }.prefix(10)
            let offers = CrossSellOffers().candidates(for: customer, in: OfferCase.run(catalog))
            #expect(offers.map(\.product) == expected.map(\.partner))
            #expect(offers.map(\.propensity) == expected.map(\.propensity))
            #expect(offers.map { offer -> Int32? in
                guard case let .crossSell(source, _, _, _, _) = offer.facts else { return nil }
                return source
            } == expected.map { customer.products[$0.source].product })
        }
    }

    @Test func upSellPicksAPopularDearerProductWithinThePriceStep() {
        let products = [OfferCase.product(1, "P1", price: 10_0000), OfferCase.product(2, "P2", price: 14_0000, orders: 10),
                        OfferCase.product(3, "P3", price: 20_0000, orders: 50)]
        let customer = OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 40, asOf - 20])])
        let run = OfferCase.run(OfferCase.catalog(products))
        let offers = UpSellOffers().candidates(for: customer, in: run)
        // P3 sells best but costs more than 1.5 × 10.00; P2 qualifies.
        #expect(offers.map(\.product) == [1])
        #expect(offers.first?.reason(for: customer, in: run) == "A step up in CAT1: Item P2 at 14.00")
        #expect(offers.first?.evidence(for: customer, in: run) == "category CAT1: 2 purchase days, dearest bought lists at 10.00; P2 price 14.00, 10 orders, premium=false")
        // Too few orders for P2: nothing.
        let unpopular = [products[0], OfferCase.product(2, "P2", price: 14_0000, orders: 4), products[2]]
        #expect(UpSellOffers().candidates(for: customer, in: OfferCase.run(OfferCase.catalog(unpopular))).isEmpty)
        // Not for a customer no longer buying: a win-back segment.
        let lost = OfferCase.customer(segment: "Lost", products: customer.products)
        #expect(UpSellOffers().candidates(for: lost, in: run).isEmpty)
    }

    @Test func winBackTargetsValuableCustomersOfTheConfiguredSegments() {
        let catalog = OfferCase.catalog([OfferCase.product(1, "A", category: 2)])
        let atRisk = OfferCase.customer(segment: "At Risk", products: [OfferCase.bought(0, days: [asOf - 200])], mScore: 4)
        let offers = WinBackOffers().candidates(for: atRisk, in: OfferCase.run(catalog))
        #expect(offers.map { $0.reason(for: atRisk, in: OfferCase.run(catalog)) } == ["We miss you: 15% off CAT2, your favourite category"])
        #expect(offers.first?.evidence(for: atRisk, in: OfferCase.run(catalog)) == "segment At Risk; m_score=4; last purchase 10 days ago; spent 10.00 in CAT2")
        #expect(offers.first?.categoryKey == 2 && offers.first?.product == nil)
        #expect(abs((offers.first?.propensity ?? 0) - 0.12) < 1e-12)
        let cheap = OfferCase.customer(segment: "At Risk", products: atRisk.products, mScore: 2)
        let champion = OfferCase.customer(segment: "Champions", products: atRisk.products, mScore: 5)
        #expect(WinBackOffers().candidates(for: cheap, in: OfferCase.run(catalog)).isEmpty)
        #expect(WinBackOffers().candidates(for: champion, in: OfferCase.run(catalog)).isEmpty)
    }

    /// Customer value: P(alive) 0.32 < 0.5 in CLV decile 9 ≥ 8 qualifies outside the win-back
    /// segments, and the reason says why; decile 7, or P(alive) 0.5 itself, does not.
    @Test func winBackReachesValuableCustomersSlippingAwayByCustomerValue() {
        let catalog = OfferCase.catalog([OfferCase.product(1, "A", category: 2)])
        let run = OfferCase.run(catalog)
        func champion(alive: Double, decile: Int) -> CustomerContext {
            var customer = OfferCase.customer(segment: "Champions", products: [OfferCase.bought(0, days: [asOf - 200])], mScore: 5)
            customer.value = ValueFigures(probabilityAlive: alive, expectedPurchases: 0.4, expectedOrderValueMinor: 50_0000, clvMinor: 90_0000,
                                          clvDecile: decile, trusted: true)
            return customer
        }
        let slipping = champion(alive: 0.3217, decile: 9)
        let offers = WinBackOffers().candidates(for: slipping, in: run)
        #expect(offers.map { $0.reason(for: slipping, in: run) }
            == ["We miss you: 15% off CAT2, your favourite category (slipping away: P(alive) 0.322, CLV decile 9)"])
        #expect(offers.first?.evidence(for: slipping, in: run)
            == "P(alive) 0.322 < 0.5, CLV decile 9 ≥ 8; last purchase 10 days ago; spent 10.00 in CAT2")
        #expect(WinBackOffers().candidates(for: champion(alive: 0.3217, decile: 7), in: run).isEmpty)
        #expect(WinBackOffers().candidates(for: champion(alive: 0.5, decile: 10), in: run).isEmpty)
        // A fit that did not converge, or cannot identify a parameter, is not acted on.
        var untrusted = slipping
        untrusted.value?.trusted = false
        #expect(WinBackOffers().candidates(for: untrusted, in: run).isEmpty)
        // In a win-back segment as well: the segment's reason, as before.
        var atRisk = OfferCase.customer(segment: "At Risk", products: slipping.products, mScore: 4)
        atRisk.value = slipping.value
        #expect(WinBackOffers().candidates(for: atRisk, in: run).map { $0.reason(for: atRisk, in: run) }
            == ["We miss you: 15% off CAT2, your favourite category"])
    }

    @Test func birthdayWithinTheNextDays() {
        let run = OfferCase.run(OfferCase.catalog([]))
        let soon = OfferCase.customer(birthday: (11, 24))
        #expect(BirthdayOffers().candidates(for: soon, in: run).map { $0.reason(for: soon, in: run) } == ["Happy birthday on 2026-11-24: 10% off"])
        #expect(BirthdayOffers().candidates(for: soon, in: run).map { $0.evidence(for: soon, in: run) } == ["birthday 2026-11-24, 3 days after as_of"])
        #expect(BirthdayOffers().candidates(for: OfferCase.customer(birthday: (12, 5)), in: run).isEmpty)
        #expect(BirthdayOffers().candidates(for: OfferCase.customer(birthday: (11, 20)), in: run).isEmpty) // yesterday: next year
        #expect(BirthdayOffers().candidates(for: OfferCase.customer(birthday: nil), in: run).isEmpty)
        // 29 February is celebrated on 28 February in a year without it; the next one after 2027-02-20 is 2027-02-28.
        #expect(BirthdayOffers.nextBirthday((2, 29), onOrAfter: CivilDate.parse("2027-02-20")!) == CivilDate.parse("2027-02-28"))
        #expect(BirthdayOffers.nextBirthday((2, 29), onOrAfter: CivilDate.parse("2028-02-20")!) == CivilDate.parse("2028-02-29"))
    }

    @Test func favouriteItemIsTheProductBoughtOnMostDays() {
        let catalog = OfferCase.catalog([OfferCase.product(1, "A"), OfferCase.product(2, "B")])
        let customer = OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 50]), OfferCase.bought(1, days: [asOf - 60, asOf - 40, asOf - 35])])
        let offers = FavouriteItemOffers().candidates(for: customer, in: OfferCase.run(catalog))
        #expect(offers.map { $0.reason(for: customer, in: OfferCase.run(catalog)) } == ["Your favourite, Item B, bought on 3 days: 10% off"])
        #expect(offers.first?.evidence(for: customer, in: OfferCase.run(catalog)) == "purchase days=3; units=3; last on 2026-10-17")
        #expect(abs((offers.first?.propensity ?? 0) - 0.16) < 1e-12)
        let once = OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 50])])
        #expect(FavouriteItemOffers().candidates(for: once, in: OfferCase.run(catalog)).isEmpty)
    }

    @Test func welcomeGoesToRegisteredCustomersWithoutPurchases() {
        let catalog = OfferCase.catalog([OfferCase.product(1, "A", orders: 5), OfferCase.product(2, "B", orders: 50),
                                         OfferCase.product(3, "C", orders: 20), OfferCase.product(4, "D", orders: 1)])
        let newcomer = OfferCase.customer(segment: "No Purchases", frequency: 0, monetary: 0, mScore: nil)
        let offers = WelcomeOffers().candidates(for: newcomer, in: OfferCase.run(catalog))
        #expect(offers.map(\.product) == [1, 2, 0]) // B, C, A: bestsellers first
        #expect(offers.first?.reason(for: newcomer, in: OfferCase.run(catalog)) == "Welcome! Our bestseller Item B, 10% off your first order")
        #expect(offers.last?.evidence(for: newcomer, in: OfferCase.run(catalog)) == "no purchase yet; A is bestseller #3 with 5 orders")
        #expect(WelcomeOffers().candidates(for: OfferCase.customer(frequency: 0, registered: false), in: OfferCase.run(catalog)).isEmpty)
        #expect(WelcomeOffers().candidates(for: OfferCase.customer(frequency: 2), in: OfferCase.run(catalog)).isEmpty)
    }

    @Test func newArrivalsComeFromTheFavouriteCategory() {
        let catalog = OfferCase.catalog([OfferCase.product(1, "A", category: 1), OfferCase.product(2, "N1", category: 1, isNew: true),
                                         OfferCase.product(3, "N2", category: 2, isNew: true), OfferCase.product(4, "B", category: 2)])
        let customer = OfferCase.customer(products: [OfferCase.bought(0, days: [asOf - 20], spent: 30_0000),
                                                     OfferCase.bought(3, days: [asOf - 20], spent: 10_0000)])
        let offers = NewArrivalOffers().candidates(for: customer, in: OfferCase.run(catalog))
        #expect(offers.map(\.product) == [1])
        #expect(offers.first?.reason(for: customer, in: OfferCase.run(catalog)) == "New in CAT1, your favourite category: Item N1")
        #expect(offers.first?.evidence(for: customer, in: OfferCase.run(catalog)) == "N1 is new; CAT1 is 75% of the customer's spend")
        #expect(abs((offers.first?.propensity ?? 0) - (0.04 + 0.06 * 0.75)) < 1e-12)
    }

    @Test func segmentBonusFollowsTheConfiguredTable() {
        let run = OfferCase.run(OfferCase.catalog([]))
        let champion = OfferCase.customer(segment: "Champions")
        #expect(SegmentBonusOffers().candidates(for: champion, in: run).map { $0.reason(for: champion, in: run) } == ["As one of our Champions: early access"])
        #expect(SegmentBonusOffers().candidates(for: OfferCase.customer(segment: "Lost"), in: run).isEmpty)
        let custom = OfferCase.run(OfferCase.catalog([])) { $0.segmentBonus = ["Lost": "a free coffee"] }
        let lost = OfferCase.customer(segment: "Lost")
        #expect(SegmentBonusOffers().candidates(for: lost, in: custom).map { $0.reason(for: lost, in: custom) } == ["As one of our Lost: a free coffee"])
    }
}
