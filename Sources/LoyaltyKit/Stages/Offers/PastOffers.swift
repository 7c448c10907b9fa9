import GRDB

/// An offer of an earlier night (from the warehouse), as cool-down reads it.
struct PastOffer {
    private let storedDay: Int32
    let type: OfferType
    /// Catalog index; −1 for none (an Int32? would take another 4 bytes of tens of millions).
    private let storedProduct: Int32

    init(day: Int64, type: OfferType, product: Int32?) {
        storedDay = Int32(clamping: day)
        self.type = type
        storedProduct = product ?? -1
    }

    var day: Int64 { Int64(storedDay) }
    var product: Int32? { storedProduct >= 0 ? storedProduct : nil }
}

/// What one customer was offered before: the offers inside the cool-down window, and how many
/// offers each channel carried inside the contact window (both groups count: they are treated
/// alike up to the send, so the effectiveness report compares like with like).
struct CustomerPast {
    var recent: ArraySlice<PastOffer> = []
    /// Offers in the contact window by channel index.
    var contacts: ArraySlice<Int32> = []

    init() {}

    func contacts(on channel: Int) -> Int { channel < contacts.count ? Int(contacts[contacts.startIndex + channel]) : 0 }

    var allContacts: Int { contacts.reduce(0) { $0 + Int($1) } }
}

/// Every customer's earlier offers, read once per run. A month of nights for a million customers
/// is tens of millions of offers, so only what the rules read is kept, in flat arrays by customer
/// key: the offers of the cool-down window, and per channel counts for the contact window.
struct PastOffers {
    /// Customer k's recent offers are `recent[starts[k] ..< starts[k + 1]]`.
    private var recent: [PastOffer] = []
    private var starts: [Int] = [0]
    /// Customer k's count on channel c is `contacts[k * channelCount + c]`.
    private var contacts: [Int32] = []
    private var channelCount = 0
    /// Customers with an offer in either window.
    private(set) var customers = 0

    init() {}

    subscript(customerKey: Int64) -> CustomerPast {
        var past = CustomerPast()
        guard customerKey >= 0, Int(customerKey) + 1 < starts.count else { return past }
        past.recent = recent[starts[Int(customerKey)]..<starts[Int(customerKey) + 1]]
        past.contacts = contacts[Int(customerKey) * channelCount..<(Int(customerKey) + 1) * channelCount]
        return past
    }

    /// Offers of the nights before as_of inside the longer window (one customer's for `loyalty explain`).
    /// - Parameter channels: the pipeline's channels; an earlier offer on a channel no longer among
    ///   them counts for cool-down but for no cap.
    static func load(_ db: Database, asOf: Int64, config: OffersConfig, channels: [ContactChannel], maxCustomerKey: Int,
                     customerKey: Int64? = nil, catalog: OfferCatalog) throws -> PastOffers {
        let coolDownFrom = asOf - Int64(config.cooldownDays), contactFrom = asOf - Int64(config.contactWindowDays)
        // Types and channels become numbers in SQL: no String per row. The dates are made here
        // from day numbers, so they can stand in the SQL text; channel names are checked words.
        let channelCase = channels.enumerated().map { "WHEN '\($1.name)' THEN \($0)" }.joined(separator: " ")
        var past = PastOffers()
        past.channelCount = channels.count
        past.contacts = Array(repeating: 0, count: (maxCustomerKey + 1) * channels.count)
        var pending: [(customer: Int32, offer: PastOffer)] = []
        var seen = [Bool](repeating: false, count: maxCustomerKey + 1)
        // Night by night: the day is the query's, not parsed from every row.
        for day in min(coolDownFrom, contactFrom)..<asOf {
            try RowScan.forEach(db, sql: """
                SELECT customer_key, CASE offer_type \(OfferType.ordinalCases) END, product_key, CASE channel \(channelCase) END
                FROM offer WHERE as_of = '\(CivilDate.format(day))' \(customerKey.map { "AND customer_key = \($0)" } ?? "")
                """) { row in
                let key = row.int64(0)
                guard key >= 0, key <= Int64(maxCustomerKey), !row.isNull(1) else { return }
                if day >= contactFrom, !row.isNull(3) {
                    past.contacts[Int(key) * past.channelCount + Int(row.int64(3))] += 1
                }
                if day >= coolDownFrom {
                    pending.append((Int32(key), PastOffer(day: day, type: OfferType.allCases[Int(row.int64(1))],
                                                          product: row.optionalInt64(2).flatMap { catalog.index(ofKey: $0) })))
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
