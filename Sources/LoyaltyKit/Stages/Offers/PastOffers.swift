import GRDB

/// An offer of an earlier night (from the warehouse), as cool-down reads it.
struct PastOffer {
    private let storedDay: Int32
    let type: OfferType
    /// Catalog index; −1 for none (an Int32? would take another 4 bytes of tens of millions).
    private let storedProduct: Int32
    let channel: OffersConfig.Channel

    init(day: Int64, type: OfferType, product: Int32?, channel: OffersConfig.Channel) {
        storedDay = Int32(clamping: day)
        self.type = type
        storedProduct = product ?? -1
        self.channel = channel
    }

    var day: Int64 { Int64(storedDay) }
    var product: Int32? { storedProduct >= 0 ? storedProduct : nil }
}

/// What one customer was offered before: the offers inside the cool-down window, and how many
/// offers each channel carried inside the contact window (both groups count: they are treated
/// alike up to the send, so the effectiveness report compares like with like).
struct CustomerPast {
    var recent: ArraySlice<PastOffer> = []
    var contacts: (email: Int32, sms: Int32, push: Int32) = (0, 0, 0)

    init() {}

    func contacts(on channel: OffersConfig.Channel) -> Int {
        switch channel {
        case .email: return Int(contacts.email)
        case .sms: return Int(contacts.sms)
        case .push: return Int(contacts.push)
        }
    }

    mutating func count(_ channel: OffersConfig.Channel) {
        switch channel {
        case .email: contacts.email += 1
        case .sms: contacts.sms += 1
        case .push: contacts.push += 1
        }
    }
}

/// Every customer's earlier offers, read once per run. A month of nights for a million customers
/// is tens of millions of offers, so only what the rules read is kept, in flat arrays by customer
/// key: the offers of the cool-down window, and per channel counts for the contact window.
struct PastOffers {
    /// Customer k's recent offers are `recent[starts[k] ..< starts[k + 1]]`.
    private var recent: [PastOffer] = []
    private var starts: [Int] = [0]
    private var contacts: [(email: Int32, sms: Int32, push: Int32)] = []
    /// Customers with an offer in either window.
    private(set) var customers = 0

    init() {}

    subscript(customerKey: Int64) -> CustomerPast {
        var past = CustomerPast()
        guard customerKey >= 0, Int(customerKey) < contacts.count else { return past }
        past.recent = recent[starts[Int(customerKey)]..<starts[Int(customerKey) + 1]]
        past.contacts = contacts[Int(customerKey)]
        return past
    }

    /// Offers of the nights before as_of inside the longer window (one customer's for `loyalty explain`).
    static func load(_ db: Database, asOf: Int64, config: OffersConfig, maxCustomerKey: Int, customerKey: Int64? = nil,
                     catalog: OfferCatalog) throws -> PastOffers {
        let coolDownFrom = asOf - Int64(config.cooldownDays), contactFrom = asOf - Int64(config.contactWindowDays)
        // Types and channels become numbers in SQL: no String per row. The dates are made here
        // from day numbers, so they can stand in the SQL text.
        let channelCase = OffersConfig.Channel.allCases.enumerated().map { "WHEN '\($1.rawValue)' THEN \($0)" }.joined(separator: " ")
        var past = PastOffers()
        past.contacts = Array(repeating: (0, 0, 0), count: maxCustomerKey + 1)
        var pending: [(customer: Int32, offer: PastOffer)] = []
        var seen = [Bool](repeating: false, count: maxCustomerKey + 1)
        // Night by night: the day is the query's, not parsed from every row.
        for day in min(coolDownFrom, contactFrom)..<asOf {
            try RowScan.forEach(db, sql: """
                SELECT customer_key, CASE offer_type \(OfferType.ordinalCases) END, product_key, CASE channel \(channelCase) END
                FROM offer WHERE as_of = '\(CivilDate.format(day))' \(customerKey.map { "AND customer_key = \($0)" } ?? "")
                """) { row in
                let key = row.int64(0)
                guard key >= 0, key <= Int64(maxCustomerKey), !row.isNull(1), !row.isNull(3) else { return }
                let channel = OffersConfig.Channel.allCases[Int(row.int64(3))]
                if day >= contactFrom {
                    var counts = CustomerPast()
                    counts.contacts = past.contacts[Int(key)]
                    counts.count(channel)
                    past.contacts[Int(key)] = counts.contacts
                }
                if day >= coolDownFrom {
                    pending.append((Int32(key), PastOffer(day: day, type: OfferType.allCases[Int(row.int64(1))],
                                                          product: row.optionalInt64(2).flatMap { catalog.index(ofKey: $0) }, channel: channel)))
                }
                if !seen[Int(key)] {
                    seen[Int(key)] = true
                    past.customers += 1
                }
            }
        }
        // Grouped by customer, each customer's offers in read order.
        let grouped = KeyGrouping.group([pending], maxKey: maxCustomerKey) { Int($0.customer) }
        past.recent = grouped.items.map(\.offer)
        past.starts = grouped.starts
        return past
    }
}
