import Foundation

/// One customer's row of customer_value.csv, as the offers use it.
struct ValueFigures: Equatable {
    var probabilityAlive: Double?
    var expectedPurchases: Double?
    var expectedOrderValueMinor: Int64?
    var clvMinor: Int64?
    var clvDecile: Int?
    /// BG/NBD: the chance of at least one purchase while the offers are valid,
    /// P(alive) × (1 − ((α+T)/(α+T+w))^(r+x)) — exact, as customers leave only right after a
    /// purchase; for a customer without a purchase in the window, a newcomer's (x = 0, T = 0).
    var purchaseChance: Double?
    /// The BG/NBD fit converged with every parameter identified: the offers act on P(alive) only then.
    var trusted = false
}

/// One customer as the generators see them: contact details, consents, RFM figures and segment,
/// and what they bought.
struct CustomerContext {
    let key: Int64
    let id: String
    let firstName: String?
    /// Valid addresses only (ingest keeps invalid ones apart, in contact_issue).
    let email: String?
    let phone: String?
    /// Addresses delivered but not valid: the customer is unreachable on the channels needing them.
    var invalidAddresses: AddressSet = []
    /// The channels the customer is kept off (suppressions, unsubscribes), as bits of channel indexes.
    var suppressedChannels: UInt32 = 0
    /// Month and day of the birth date.
    let birthday: (month: Int, day: Int)?
    /// A bit set, not a `Set` (a million small allocations).
    let consents: ConsentSet
    let segment: String
    let cluster: Int?
    let recencyDays: Int?
    let frequency: Int
    let monetaryMinor: Int64
    let rScore: Int?
    let fScore: Int?
    let mScore: Int?
    /// Listed in customers.csv (not only named by an order).
    let registered: Bool
    /// The segment stage's customer value figures for the same as_of (nil: none computed).
    var value: ValueFigures?
    /// By catalog index, ascending.
    var products: [CustomerHistory.ProductHistory]

    /// Whether the customer bought the product.
    func hasBought(_ product: Int32) -> Bool { history(of: product) != nil }

    /// The customer's figures for a product (binary search: `products` is in catalog order).
    func history(of product: Int32) -> CustomerHistory.ProductHistory? {
        var low = 0, high = products.count
        while low < high {
            let middle = (low + high) / 2
            if products[middle].product < product { low = middle + 1 } else { high = middle }
        }
        return low < products.count && products[low].product == product ? products[low] : nil
    }

    /// Whether the customer is still buying, so that an up-sell is worth sending and nothing
    /// needs to come before a win-back: a segment outside `offers.win_back_segments` and, where
    /// customer value has a trusted fit, P(alive) at least `offers.win_back_p_alive_below`. Both:
    /// BG/NBD gives a customer without a repeat purchase P(alive) 1 however long ago they bought.
    func isStillBuying(_ config: OffersConfig) -> Bool {
        guard !config.winBackSegments.contains(segment) else { return false }
        guard let value, value.trusted, let alive = value.probabilityAlive else { return true }
        return alive >= config.winBackPAliveBelow
    }

    init(key: Int64, id: String, firstName: String?, email: String?, phone: String?, birthday: (month: Int, day: Int)?,
         consents: ConsentSet, segment: String, cluster: Int?, recencyDays: Int?, frequency: Int, monetaryMinor: Int64,
         rScore: Int?, fScore: Int?, mScore: Int?, registered: Bool, products: [CustomerHistory.ProductHistory], value: ValueFigures? = nil) {
        self.key = key
        self.id = id
        self.firstName = firstName
        self.email = email
        self.phone = phone
        self.birthday = birthday
        self.consents = consents
        self.segment = segment
        self.cluster = cluster
        self.recencyDays = recencyDays
        self.frequency = frequency
        self.monetaryMinor = monetaryMinor
        self.rScore = rScore
        self.fScore = fScore
        self.mScore = mScore
        self.registered = registered
        self.products = products
        self.value = value
    }

    /// Whether the customer can be sent to on `channel` (at `index` in the pipeline's channels),
    /// and if not, the first thing in the way: consent, then address, then its validity, then suppression.
    func status(on channel: ContactChannel, index: Int) -> ChannelStatus {
        if let consent = channel.consent, !consents.contains(ConsentSet(consent)) { return .noConsent }
        if channel.addressColumn != nil && address(on: channel) == nil {
            return invalidAddresses.contains(channel.address == .email ? .email : .phone) ? .invalidAddress : .noAddress
        }
        return suppressedChannels & (UInt32(1) << UInt32(index)) != 0 ? .suppressed : .reachable
    }

    /// The address a feed row of `channel` goes to (nil for channels addressed by customer id or none).
    func address(on channel: ContactChannel) -> String? {
        switch channel.address {
        case .email: return email
        case .phone: return phone
        case .customerId, .none: return nil
        }
    }

    /// Average order value in minor units (nil without purchases).
    var averageOrderMinor: Int64? {
        frequency > 0 ? Int64((Double(monetaryMinor) / Double(frequency)).rounded()) : nil
    }

    /// The category the customer spent most on (ties: the smaller key).
    func favouriteCategory(_ catalog: OfferCatalog) -> (key: Int64, spentMinor: Int64)? {
        // A customer buys in a handful of categories: a short list beats a dictionary.
        var spent: [(key: Int64, spentMinor: Int64)] = []
        for history in products {
            guard let category = catalog.categoryOf[Int(history.product)] else { continue }
            if let at = spent.firstIndex(where: { $0.key == category }) {
                spent[at].spentMinor += history.spentMinor
            } else {
                spent.append((category, history.spentMinor))
            }
        }
        return spent.max { $0.spentMinor != $1.spentMinor ? $0.spentMinor < $1.spentMinor : $0.key > $1.key }
    }
}

/// The figures behind a candidate, by offer type: its reason and evidence texts are made from
/// them, and only for the offers that are kept (and for `loyalty explain`). Most candidates are
/// dropped; plain figures cost nothing to carry, where a text or a closure per candidate cost an
/// allocation each and most of the stage's time.
enum OfferFacts {
    case replenishment(lastDay: Int64, purchaseDays: Int32, gaps: Int32, ownGapDays: Double, cycleDays: Double)
    /// `source`: the catalog index of the bought product that leads to the partner most strongly;
    /// `rule`: its index in the catalog's partner list; `sources`: how many bought products lead to it.
    case crossSell(source: Int32, lastDay: Int64, rule: Int32, affinity: Double, sources: Int32)
    case upSell(purchaseDays: Int32, topPriceMinor: Int64)
    case favouriteItem(purchaseDays: Int32, units: Int32, lastDay: Int64)
    /// `share`: the favourite category's share of the customer's spend.
    case newArrival(share: Double)
    /// `slipping`: P(alive) and CLV decile when the customer qualified by customer value.
    case winBack(spentMinor: Int64, slipping: (probabilityAlive: Double, clvDecile: Int)?)
    case birthday(day: Int64)
    /// `position`: 0 for the best bestseller.
    case welcome(position: Int32)
    case segmentBonus
}

/// The customers.csv consents a customer gave.
struct ConsentSet: OptionSet {
    let rawValue: UInt8
    static let email = ConsentSet(rawValue: 1)
    static let sms = ConsentSet(rawValue: 2)
    static let push = ConsentSet(rawValue: 4)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(_ consent: ContactChannel.Consent) {
        switch consent {
        case .email: self = .email
        case .sms: self = .sms
        case .push: self = .push
        }
    }

    var consents: [ContactChannel.Consent] { ContactChannel.Consent.allCases.filter { contains(ConsentSet($0)) } }
}

/// Address fields a customer has an invalid value in.
struct AddressSet: OptionSet {
    let rawValue: UInt8
    static let email = AddressSet(rawValue: 1)
    static let phone = AddressSet(rawValue: 2)
}

/// Whether a customer can be sent to on one channel, and if not, why. Ordered by how far the
/// customer got: a customer unreachable everywhere is reported by the furthest (a suppression
/// says more than a missing consent).
enum ChannelStatus: Int, Comparable, CaseIterable {
    case noConsent, noAddress, invalidAddress, suppressed, reachable

    static func < (a: ChannelStatus, b: ChannelStatus) -> Bool { a.rawValue < b.rawValue }
}

/// A possible offer, before arbitration.
struct OfferCandidate {
    var type: OfferType
    /// Catalog index.
    var product: Int32?
    var categoryKey: Int64?
    var discountPct: Int
    /// Chance the customer responds, from the generator's evidence (documented in docs/offers.md).
    var propensity: Double
    var facts: OfferFacts
    /// Filled by `OfferScoring`: the price the discount applies to (the product's, else the customer's average order).
    var basisMinor: Int64 = 0
    var marginMinor: Int64 = 0
    var discountMinor: Int64 = 0
    var expectedValueMinor: Int64 = 0
    var score: Double = 0

    init(type: OfferType, product: Int32? = nil, categoryKey: Int64? = nil, discountPct: Int = 0, propensity: Double, facts: OfferFacts) {
        self.type = type
        self.product = product
        self.categoryKey = categoryKey
        self.discountPct = discountPct
        self.propensity = propensity
        self.facts = facts
    }

    /// A sentence a marketer (and the customer service desk) can read.
    func reason(for customer: CustomerContext, in run: OfferRun) -> String { reasonText(for: customer, in: run).description }

    /// The figures behind it: rule, dates, counts.
    func evidence(for customer: CustomerContext, in run: OfferRun) -> String { evidenceText(for: customer, in: run).description }

    func reasonText(for customer: CustomerContext, in run: OfferRun) -> OfferText {
        OfferGenerators.generator(of: type).reason(self, for: customer, in: run)
    }

    func evidenceText(for customer: CustomerContext, in run: OfferRun) -> OfferText {
        OfferGenerators.generator(of: type).evidence(self, for: customer, in: run)
    }
}

/// What every generator may read: the catalog, the settings and the day.
struct OfferRun {
    let catalog: OfferCatalog
    let config: OffersConfig
    /// Every channel of the pipeline (`PipelineConfig.channels`); offers and feeds refer to them by index.
    let channels: [ContactChannel]
    /// Indexes of `offers.channels` in `channels`, most preferred first.
    let preference: [Int]
    /// Local day number of as_of.
    let asOf: Int64
    /// `offers.discount_pct` by `OfferType.ordinal`: read for every candidate, where a dictionary
    /// lookup hashed the type each time.
    private let discounts: [Int]
    /// Each product's margin at `offers.margin_rate`, by catalog index (scoring reads it per candidate).
    let marginOf: [Int64]

    init(catalog: OfferCatalog, config: OffersConfig, channels: [ContactChannel] = ContactChannel.builtIn, asOf: Int64) {
        self.catalog = catalog
        self.config = config
        self.channels = channels
        preference = config.channels.compactMap { name in channels.firstIndex { $0.name == name } }
        self.asOf = asOf
        discounts = OfferType.allCases.map { config.discountPct[$0] ?? 0 }
        marginOf = catalog.products.map { catalog.marginMinor($0, marginRate: config.marginRate) }
    }

    func discount(_ type: OfferType) -> Int { discounts[type.ordinal] }

    /// The template fields of a channel's feed.
    func feedFields(of channel: Int) -> [OffersConfig.FeedField] { channels[channel].fields ?? config.feedFields }
}

/// One offer type: who gets it and why. Generators only propose; scoring and arbitration decide.
protocol OfferGenerator {
    var type: OfferType { get }
    /// Appends the customer's candidates of this type (into one array per customer: an array per
    /// generator was nine allocations a customer).
    func propose(for customer: CustomerContext, in run: OfferRun, into candidates: inout [OfferCandidate])
    /// The texts of one of this generator's candidates, from its facts.
    func reason(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText
    func evidence(_ candidate: OfferCandidate, for customer: CustomerContext, in run: OfferRun) -> OfferText
}

extension OfferGenerator {
    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate] {
        var candidates: [OfferCandidate] = []
        propose(for: customer, in: run, into: &candidates)
        return candidates
    }
}

enum OfferGenerators {
    /// In `OfferType` order.
    static let all: [OfferGenerator] = [
        ReplenishmentOffers(), CrossSellOffers(), UpSellOffers(), FavouriteItemOffers(), NewArrivalOffers(),
        WinBackOffers(), BirthdayOffers(), WelcomeOffers(), SegmentBonusOffers(),
    ]

    static func generator(of type: OfferType) -> OfferGenerator { all[type.ordinal] }
}
