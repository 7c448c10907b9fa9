/// One customer's ranked product lists in the backtest, besides the offers themselves: every
/// generator's scored candidates (before consent, caps and cool-down cut them to the offers), and
/// the three baselines the offers must beat. Products are catalog indexes.
///
/// Baselines, from the same data before as_of:
/// - `popular`: the bestsellers (most orders in the window) the customer has not bought;
/// - `popularInCategory`: the same within the customer's favourite category (most spend); none
///   for a customer without purchases;
/// - `ownRepeats`: the customer's own products, by time-decayed affinity (recent and repeated
///   purchases first; half-life `offers.half_life_days`), then purchase days, then catalog order.
struct BacktestLists {
    /// Items per list and per offer type's candidates: the largest k scored.
    static let depth = 10

    /// All lists in one array (one allocation a customer): the candidates first, then own
    /// repeats, popular, popular in category.
    private var items: [Int32] = []
    /// `OfferType.ordinal` of each candidate.
    private var candidateTypes: [UInt8] = []
    private var repeatsEnd: UInt8 = 0
    private var popularEnd: UInt8 = 0

    /// The customer's candidates with a product, by the chance their generator gives them
    /// (propensity; ties: score, type order, catalog order), at most `depth` per type: whether
    /// the generators point at what gets bought. The offers themselves rank by expected value,
    /// which on real data (Ta-Feng sells many everyday products at or below cost) puts likely
    /// but unprofitable products last: the two lists answer different questions.
    var candidates: ArraySlice<Int32> { items[0..<candidateTypes.count] }
    func candidateType(at index: Int) -> OfferType { Self.types[Int(candidateTypes[index])] }
    /// By ordinal, built once: `allCases` makes a new array on every call.
    private static let types = OfferType.allCases
    var ownRepeats: ArraySlice<Int32> { items[candidateTypes.count..<(candidateTypes.count + Int(repeatsEnd))] }
    var popular: ArraySlice<Int32> { items[(candidateTypes.count + Int(repeatsEnd))..<(candidateTypes.count + Int(popularEnd))] }
    var popularInCategory: ArraySlice<Int32> { items[(candidateTypes.count + Int(popularEnd))...] }

    /// - Parameter scored: the customer's candidates after scoring (`OffersStage.decide`'s observer).
    init(_ customer: CustomerContext, scored: [OfferCandidate], catalog: OfferCatalog) {
        let depth = Self.depth
        var ranked = scored.filter { $0.product != nil }
        ranked.sort { a, b in
            if a.propensity != b.propensity { return a.propensity > b.propensity }
            if a.score != b.score { return a.score > b.score }
            if a.type.ordinal != b.type.ordinal { return a.type.ordinal < b.type.ordinal }
            return a.product! < b.product!
        }
        var perType = [Int](repeating: 0, count: OfferType.allCases.count)
        for candidate in ranked where perType[candidate.type.ordinal] < depth {
            perType[candidate.type.ordinal] += 1
            items.append(candidate.product!)
            candidateTypes.append(UInt8(candidate.type.ordinal))
        }

        let own = customer.products.sorted { a, b in
            if a.affinity != b.affinity { return a.affinity > b.affinity }
            if a.orders != b.orders { return a.orders > b.orders }
            return a.product < b.product
        }
        items += own.prefix(depth).map(\.product)
        repeatsEnd = UInt8(items.count - candidateTypes.count)

        func appendUnbought(from ranking: [Int32]) {
            var taken = 0
            for product in ranking where taken < depth {
                guard catalog.ordersOf[Int(product)] > 0 else { break }
                guard !customer.hasBought(product) else { continue }
                items.append(product)
                taken += 1
            }
        }
        appendUnbought(from: catalog.bestsellers)
        popularEnd = UInt8(items.count - candidateTypes.count)
        if let favourite = customer.favouriteCategory(catalog) { appendUnbought(from: catalog.byCategory[favourite.key] ?? []) }
    }
}
