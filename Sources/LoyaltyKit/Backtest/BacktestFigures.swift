/// The backtest's figures: every list scored against the horizon's purchases, per group of
/// customers. A group is the customers with an offer of one type (or of any type, or of cross-sell
/// or up-sell), overall or in one segment; in it each recommender's lists are scored on the same
/// customers, so the offers and the baselines compare.
///
/// Ranking metrics (`RankingMetrics`) are over the group's buyers (customers who bought anything in
/// the horizon); a buyer whose list is empty scores 0. Hits, their revenue and margin are sums
/// over the group; coverage is the distinct products in the first k of the group's lists over the
/// active catalogue.
struct BacktestFigures {
    static let ks = [1, 3, 10]

    enum Recommender: String, CaseIterable {
        case offers, candidates, popular
        case popularInCategory = "popular_in_category"
        case ownRepeats = "own_repeats"

        /// `allCases` builds a new array on every use; the scoring loop asks per customer and list.
        static let ordered = allCases
        var ordinal: Int { Self.ordered.firstIndex(of: self)! }
    }

    /// Who a group holds: customers with an offer of any type, of cross-sell or up-sell, or of one type.
    enum Scope: Equatable {
        case all, crossAndUpSell, type(OfferType)

        static let allScopes: [Scope] = [.all, .crossAndUpSell] + OfferType.allCases.map(Scope.type)

        var name: String {
            switch self {
            case .all: return "all"
            case .crossAndUpSell: return "cross_sell+up_sell"
            case let .type(type): return type.rawValue
            }
        }

        func holds(_ type: OfferType) -> Bool {
            switch self {
            case .all: return true
            case .crossAndUpSell: return type == .crossSell || type == .upSell
            case let .type(own): return own == type
            }
        }
    }

    /// One group's sums for one recommender.
    struct Tally {
        var customers = 0
        var buyers = 0
        /// Customers whose list was not empty: without any, the metrics are not printed.
        var listed = 0
        var metrics = RankingMetrics(atK: ks.map { RankingMetrics.AtK(k: $0) })
        var hits = [Int](repeating: 0, count: ks.count)
        var hitRevenueMinor = [Int64](repeating: 0, count: ks.count)
        var hitMarginMinor = [Int64](repeating: 0, count: ks.count)
        /// Per k, a bit per catalog index recommended in the first k (allocated on first use).
        var covered: [[UInt64]] = []
    }

    /// One row of backtest.csv.
    struct Row: Equatable {
        let scope: String
        let segment: String
        let recommender: Recommender
        let k: Int
        let customers: Int
        let buyers: Int
        /// nil when no list of the group held anything (or nobody bought).
        let metrics: RankingMetrics.AtK?
        let coverage: Double?
        let hits: Int
        let hitRevenueMinor: Int64
        let hitMarginMinor: Int64
    }

    /// "all" first, then the segments in name order.
    let segments: [String]
    private var tallies: [Tally]
    private let catalogueSize: Int
    private let products: Int
    /// Parts scored at once: fixed, not the core count, so the sums add up in the same order everywhere.
    static let parts = 4

    init(segments: Set<String>, catalogueSize: Int, products: Int) {
        self.segments = ["all"] + segments.sorted()
        self.catalogueSize = catalogueSize
        self.products = products
        tallies = [Tally](repeating: Tally(), count: Scope.allScopes.count * self.segments.count * Recommender.ordered.count)
    }

    private func index(scope: Int, segment: Int, recommender: Int) -> Int {
        (scope * segments.count + segment) * Recommender.ordered.count + recommender
    }

    /// Scores one customer's lists and adds them to every group the customer is in.
    /// - Parameters:
    ///   - offers: the customer's offers, best rank first: type and product (nil for offers without one).
    ///   - segment: index in `segments`.
    mutating func add(offers: [(type: OfferType, product: Int32?)], lists: BacktestLists, segment: Int,
                      bought: ArraySlice<HorizonPurchases.Bought>) {
        guard !offers.isEmpty else { return }
        let baselines: [(Recommender, ArraySlice<Int32>)] = [(.popular, lists.popular), (.popularInCategory, lists.popularInCategory),
                                                             (.ownRepeats, lists.ownRepeats)]
        let baselineScores = baselines.map { Score($0.1, bought: bought) }
        for (scopeIndex, scope) in Scope.allScopes.enumerated() where offers.contains(where: { scope.holds($0.type) }) {
            let offered = Self.distinct(offers.lazy.filter { scope.holds($0.type) }.compactMap(\.product))
            let candidates = Self.distinct(lists.candidates.indices.lazy.filter { scope.holds(lists.candidateType(at: $0)) }.map { lists.candidates[$0] })
            var scores = [(Recommender.offers, Score(offered[...], bought: bought)), (.candidates, Score(candidates[...], bought: bought))]
            scores += zip(baselines.map(\.0), baselineScores).map { ($0, $1) }
            for (recommender, score) in scores {
                let recommender = recommender.ordinal
                Self.record(score, into: &tallies[index(scope: scopeIndex, segment: 0, recommender: recommender)], products: products)
                if segment != 0 {
                    Self.record(score, into: &tallies[index(scope: scopeIndex, segment: segment, recommender: recommender)], products: products)
                }
            }
        }
    }

    

    /// At most `depth` distinct products, first occurrence kept.
    private static func distinct(_ products: some Sequence<Int32>) -> [Int32] {
        var result: [Int32] = []
        for product in products where !result.contains(product) {
            result.append(product)
            if result.count == BacktestLists.depth { break }
        }
        return result
    }

    /// One list against one customer's purchases.
    private struct Score {
        let list: ArraySlice<Int32>
        let terms: [RankingMetrics.AtK]?
        let hits: [Int]
        let revenueMinor: [Int64]
        let marginMinor: [Int64]

        init(_ list: ArraySlice<Int32>, bought: ArraySlice<HorizonPurchases.Bought>) {
            self.list = list
            func purchase(of product: Int32) -> HorizonPurchases.Bought? {
                var low = bought.startIndex, high = bought.endIndex
                while low < high {
                    let middle = (low + high) / 2
                    if bought[middle].product < product { low = middle + 1 } else { high = middle }
                }
                return low < bought.endIndex && bought[low].product == product ? bought[low] : nil
            }
            // One search per listed product: the metrics and the money read the same hits.
            let found = bought.isEmpty ? [] : list.map(purchase(of:))
            terms = bought.isEmpty ? nil : RankingMetrics.terms(found, boughtCount: bought.count, ks: BacktestFigures.ks) { $0 != nil }
            var hits = [Int](repeating: 0, count: BacktestFigures.ks.count)
            var revenue = [Int64](repeating: 0, count: BacktestFigures.ks.count)
            var margin = [Int64](repeating: 0, count: BacktestFigures.ks.count)
            for (position, hit) in found.enumerated() {
                guard let hit else { continue }
                for (index, k) in BacktestFigures.ks.enumerated() where position < k {
                    hits[index] += 1
                    revenue[index] += hit.amountMinor
                    margin[index] += hit.marginMinor
                }
            }
            self.hits = hits
            revenueMinor = revenue
            marginMinor = margin
        }
    }

    /// In place (`inout` on the array element): a copy of the tally per customer was most of the time.
    private static func record(_ score: Score, into tally: inout Tally, products: Int) {
        tally.customers += 1
        if !score.list.isEmpty { tally.listed += 1 }
        if let terms = score.terms {
            tally.buyers += 1
            tally.metrics.add(terms)
        }
        for position in Self.ks.indices {
            tally.hits[position] += score.hits[position]
            tally.hitRevenueMinor[position] += score.revenueMinor[position]
            tally.hitMarginMinor[position] += score.marginMinor[position]
        }
        if !score.list.isEmpty {
            if tally.covered.isEmpty { tally.covered = Self.ks.map { _ in [UInt64](repeating: 0, count: (products + 63) / 64) } }
            for (position, product) in score.list.enumerated() {
                for (at, k) in Self.ks.enumerated() where position < k {
                    tally.covered[at][Int(product) / 64] |= 1 << UInt64(Int(product) % 64)
                }
            }
        }
    }

    /// Adds another part's tallies (same segments and catalog): the customers are scored in
    /// parts at once, and merged in a fixed order so the sums, and the file, stay the same.
    mutating func merge(_ other: BacktestFigures) {
        precondition(other.segments == segments && other.tallies.count == tallies.count)
        for index in tallies.indices {
            let part = other.tallies[index]
            guard part.customers > 0 else { continue }
            tallies[index].customers += part.customers
            tallies[index].buyers += part.buyers
            tallies[index].listed += part.listed
            tallies[index].metrics.add(part.metrics.atK, customers: part.metrics.customers)
            for position in Self.ks.indices {
                tallies[index].hits[position] += part.hits[position]
                tallies[index].hitRevenueMinor[position] += part.hitRevenueMinor[position]
                tallies[index].hitMarginMinor[position] += part.hitMarginMinor[position]
            }
            guard !part.covered.isEmpty else { continue }
            if tallies[index].covered.isEmpty {
                tallies[index].covered = part.covered
            } else {
                for at in Self.ks.indices {
                    for word in part.covered[at].indices { tallies[index].covered[at][word] |= part.covered[at][word] }
                }
            }
        }
    }

    /// Every group with customers, in scope, segment, recommender and k order.
    var rows: [Row] {
        var rows: [Row] = []
        for (scopeIndex, scope) in Scope.allScopes.enumerated() {
            for (segmentIndex, segment) in segments.enumerated() {
                for (recommenderIndex, recommender) in Recommender.ordered.enumerated() {
                    let tally = tallies[index(scope: scopeIndex, segment: segmentIndex, recommender: recommenderIndex)]
                    guard tally.customers > 0 else { continue }
                    let means = tally.metrics.averaged
                    for (at, k) in Self.ks.enumerated() {
                        let shown = tally.listed > 0
                        let coverage = shown && catalogueSize > 0
                            ? Double(tally.covered[at].reduce(0) { $0 + $1.nonzeroBitCount }) / Double(catalogueSize) : nil
                        rows.append(Row(scope: scope.name, segment: segment, recommender: recommender, k: k, customers: tally.customers,
                                        buyers: tally.buyers, metrics: shown && tally.buyers > 0 ? means.atK[at] : nil, coverage: coverage,
                                        hits: tally.hits[at], hitRevenueMinor: tally.hitRevenueMinor[at], hitMarginMinor: tally.hitMarginMinor[at]))
                    }
                }
            }
        }
        return rows
    }
}
