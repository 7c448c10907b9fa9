@testable import LoyaltyKit

/// Small hand-made catalogs and customers for the offer generators and rules.
enum OfferCase {
    static let asOf = CivilDate.parse("2026-11-21")!

    static func product(_ key: Int64, _ id: String, category: Int64? = 1, price: Int64 = 10_0000, cost: Int64? = nil, premium: Bool = false,
                        isNew: Bool = false, orders: Int = 10, replenishDays: Double? = nil, active: Bool = true) -> OfferCatalog.Product {
        OfferCatalog.Product(key: key, id: id, name: "Item \(id)", categoryKey: category, priceMinor: price, costMinor: cost, active: active,
                             premium: premium, isNew: isNew, orders: orders, replenishDays: replenishDays)
    }

    /// A catalog of `products` (keys must be 1…n in id order) with `partners` (product index → partners).
    static func catalog(_ products: [OfferCatalog.Product], partners: [Int32: [OfferCatalog.Partner]] = [:]) -> OfferCatalog {
        var catalog = OfferCatalog()
        catalog.products = products
        catalog.indexOfKey = [Int32](repeating: -1, count: Int(products.map(\.key).max() ?? 0) + 1)
        for (index, product) in products.enumerated() { catalog.indexOfKey[Int(product.key)] = Int32(index) }
        catalog.categoryIds = [1: "CAT1", 2: "CAT2"]
        catalog.partners = products.indices.map { partners[Int32($0)] ?? [] }
        catalog.bestsellers = products.indices.filter { products[$0].active }
            .sorted { products[$0].orders != products[$1].orders ? products[$0].orders > products[$1].orders : $0 < $1 }.map(Int32.init)
        for index in catalog.bestsellers {
            if let category = products[Int(index)].categoryKey { catalog.byCategory[category, default: []].append(index) }
        }
        catalog.buildIndexes()
        return catalog
    }

    static func bought(_ product: Int32, days: [Int64], units: Int? = nil, spent: Int64 = 10_0000, halfLife: Double = 90) -> CustomerHistory.ProductHistory {
        let purchases = days.map { CustomerHistory.Purchase(customer: 1, product: product, day: Int32($0), quantity: 1, amountMinor: spent / Int64(days.count)) }
        return CustomerHistory(purchases: purchases, maxCustomerKey: 1).products(ofCustomerKey: 1, asOf: asOf, halfLifeDays: halfLife)[0]
    }

    static func customer(id: String = "C1", segment: String = "Loyal Customers", products: [CustomerHistory.ProductHistory] = [],
                         consents: ConsentSet = [.email], email: String? = "c1@example.com", phone: String? = nil,
                         invalid: AddressSet = [], suppressed: UInt32 = 0,
                         birthday: (month: Int, day: Int)? = nil, frequency: Int = 3, monetary: Int64 = 90_0000, rScore: Int? = nil,
                         mScore: Int? = 3, registered: Bool = true) -> CustomerContext {
        var customer = CustomerContext(key: 1, id: id, firstName: "Ann", email: email, phone: phone, birthday: birthday, consents: consents,
                                       segment: segment, cluster: 1, recencyDays: 10, frequency: frequency, monetaryMinor: monetary,
                                       rScore: rScore, fScore: nil, mScore: mScore, registered: registered, products: products)
        customer.invalidAddresses = invalid
        customer.suppressedChannels = suppressed
        return customer
    }

    /// - Parameter channels: the pipeline's channels (email, sms, push by default, at indexes 0, 1, 2).
    static func run(_ catalog: OfferCatalog, channels: [ContactChannel] = ContactChannel.builtIn,
                    _ configure: (inout OffersConfig) -> Void = { _ in }) -> OfferRun {
        var config = OffersConfig()
        configure(&config)
        return OfferRun(catalog: catalog, config: config, channels: channels, asOf: asOf)
    }

    /// The built-in channels with the email cap changed.
    static func channels(emailCap: Int) -> [ContactChannel] {
        var channels = ContactChannel.builtIn
        channels[0].cap = emailCap
        return channels
    }
}

extension CustomerPast {
    /// From a customer's earlier offers and the channel index each went out on, each counted in
    /// the windows it falls in (as `PastOffers.load` keeps them).
    init(_ offers: [(offer: PastOffer, channel: Int)], asOf: Int64, config: OffersConfig, channelCount: Int = 3) {
        self.init()
        recent = ArraySlice(offers.map(\.offer).filter { asOf - $0.day < Int64(config.cooldownDays) })
        var counts = [Int32](repeating: 0, count: channelCount)
        for (offer, channel) in offers where asOf - offer.day < Int64(config.contactWindowDays) { counts[channel] += 1 }
        contacts = counts[...]
    }
}
