import Foundation

/// One customer as the generators see them: contact details, consents, RFM figures and segment,
/// and what they bought.
struct CustomerContext {
    let key: Int64
    let id: String
    let firstName: String?
    let email: String?
    let phone: String?
    /// Month and day of the birth date.
    let birthday: (month: Int, day: Int)?
    /// One bit per channel (a Set per customer was a million small allocations).
    private let consentBits: UInt8
    var consents: Set<OffersConfig.Channel> { Set(OffersConfig.Channel.allCases.filter { consentBits & Self.bit($0) != 0 }) }
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
    /// By catalog index, ascending.
    var products: [CustomerHistory.ProductHistory]

    /// Whether the customer bought the product (binary search: `products` is in catalog order).
    func hasBought(_ product: Int32) -> Bool {
        var low = 0, high = products.count
        while low < high {
            let middle = (low + high) / 2
            if products[middle].product < product { low = middle + 1 } else { high = middle }
        }
        return low < products.count && products[low].product == product
    }

    init(key: Int64, id: String, firstName: String?, email: String?, phone: String?, birthday: (month: Int, day: Int)?,
         consents: Set<OffersConfig.Channel>, segment: String, cluster: Int?, recencyDays: Int?, frequency: Int, monetaryMinor: Int64,
         rScore: Int?, fScore: Int?, mScore: Int?, registered: Bool, products: [CustomerHistory.ProductHistory]) {
        self.key = key
        self.id = id
        self.firstName = firstName
        self.email = email
        self.phone = phone
        self.birthday = birthday
        consentBits = consents.reduce(0) { $0 | Self.bit($1) }
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
    }

    private static func bit(_ channel: OffersConfig.Channel) -> UInt8 {
        switch channel {
        case .email: return 1
        case .sms: return 2
        case .push: return 4
        }
    }

    /// The channels this customer agreed to and can be reached on.
    func reachable(_ channel: OffersConfig.Channel) -> Bool {
        guard consentBits & Self.bit(channel) != 0 else { return false }
        switch channel {
        case .email: return !(email ?? "").isEmpty
        case .sms: return !(phone ?? "").isEmpty
        case .push: return true
        }
    }

    /// Average order value in minor units (nil without purchases).
    var averageOrderMinor: Int64? {
        frequency > 0 ? Int64((Double(monetaryMinor) / Double(frequency)).rounded()) : nil
    }

    /// The category the customer spent most on (ties: the smaller key).
    func favouriteCategory(_ catalog: OfferCatalog) -> (key: Int64, spentMinor: Int64)? {
        var spent: [Int64: Int64] = [:]
        for history in products {
            if let category = catalog.products[Int(history.product)].categoryKey { spent[category, default: 0] += history.spentMinor }
        }
        return spent.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }.map { ($0.key, $0.value) }
    }
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
    /// A sentence a marketer (and the customer service desk) can read.
    var reason: String { reasonText() }
    /// The figures behind it: rule, dates, counts.
    var evidence: String { evidenceText() }
    // Texts are made only for the offers that are kept (and for `loyalty explain`): most
    // candidates are dropped, and formatting their texts took most of the stage's time.
    private let reasonText: () -> String
    private let evidenceText: () -> String
    /// Filled by `OfferScoring`: the price the discount applies to (the product's, else the customer's average order).
    var basisMinor: Int64 = 0
    var marginMinor: Int64 = 0
    var discountMinor: Int64 = 0
    var expectedValueMinor: Int64 = 0
    var score: Double = 0

    init(type: OfferType, product: Int32? = nil, categoryKey: Int64? = nil, discountPct: Int = 0, propensity: Double,
         reason: @autoclosure @escaping () -> String, evidence: @autoclosure @escaping () -> String) {
        self.type = type
        self.product = product
        self.categoryKey = categoryKey
        self.discountPct = discountPct
        self.propensity = propensity
        reasonText = reason
        evidenceText = evidence
    }
}

/// What every generator may read: the catalog, the settings and the day.
struct OfferRun {
    let catalog: OfferCatalog
    let config: OffersConfig
    /// Local day number of as_of.
    let asOf: Int64

    func discount(_ type: OfferType) -> Int { config.discountPct[type] ?? 0 }

}

/// One offer type: who gets it and why. Generators only propose; scoring and arbitration decide.
protocol OfferGenerator {
    var type: OfferType { get }
    func candidates(for customer: CustomerContext, in run: OfferRun) -> [OfferCandidate]
}

enum OfferGenerators {
    static let all: [OfferGenerator] = [
        ReplenishmentOffers(), CrossSellOffers(), UpSellOffers(), FavouriteItemOffers(), NewArrivalOffers(),
        WinBackOffers(), BirthdayOffers(), WelcomeOffers(), SegmentBonusOffers(),
    ]
}

/// Money as the reason texts show it (2 decimals).
func moneyText(_ minor: Int64) -> String { Money.format(minor) }

/// A ratio as the reason texts show it: 0.3412 → "34%".
func percentText(_ ratio: Double) -> String { "\(Int((ratio * 100).rounded()))%" }

/// A ratio with two decimals, half away from zero: 2.1349 → "2.13".
func decimalText(_ value: Double) -> String {
    let hundredths = Int64((value * 100).rounded())
    let magnitude = hundredths.magnitude
    let cents = magnitude % 100
    return (hundredths < 0 ? "-" : "") + "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
}
