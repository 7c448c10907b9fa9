import Foundation

/// Top-k ranking metrics of recommendations against what each customer went on to buy, with the
/// definitions of Microsoft Recommenders' `python_evaluation` (and Spark MLlib's
/// `RankingMetrics`), so that figures compare with theirs (the offers' backtest, issue 15).
///
/// Over the customers with at least one recommendation and at least one purchase (n of them),
/// for a customer with recommendations r₁ … (best first) and purchases T, hits among the first k:
/// - precision@k = hits / k; recall@k = hits / |T|; hit rate@k = 1 when hits > 0;
/// - MAP@k: Σ over the hits of (hits up to it / its rank), over min(|T|, k);
/// - NDCG@k: Σ over the hits 1 / log(1 + rank), over Σ_{i ≤ min(|T|, k)} 1 / log(1 + i);
/// each averaged over the n customers. (Recommenders' `ndcg_at_k` also counts customers who bought
/// but got no recommendation, as 0: compare NDCG over the same customers.)
struct RankingMetrics: Equatable {
    struct AtK: Equatable {
        var k: Int
        var precision = 0.0
        var recall = 0.0
        var meanAveragePrecision = 0.0
        var ndcg = 0.0
        var hitRate = 0.0
    }

    /// Customers evaluated: with a recommendation and a purchase.
    var customers = 0
    var atK: [AtK]

    init(atK: [AtK]) { self.atK = atK }

    /// - Parameters:
    ///   - recommended: per customer, distinct items best first.
    ///   - bought: per customer (same order), the items bought in the horizon.
    static func evaluate(recommended: [[Int32]], bought: [Set<Int32>], ks: [Int]) -> RankingMetrics {
        precondition(recommended.count == bought.count && ks.allSatisfy { $0 > 0 })
        var metrics = RankingMetrics(atK: ks.map { AtK(k: $0) })
        for (list, truth) in zip(recommended, bought) where !list.isEmpty && !truth.isEmpty {
            metrics.add(terms(list, boughtCount: truth.count, ks: ks, isBought: truth.contains))
        }
        return metrics.averaged
    }

    /// One customer's terms at each k (the backtest adds them to several groups: the customer's
    /// segment, each offer type they got, and everyone).
    /// - Parameters:
    ///   - list: distinct items, best first (may be empty: every term is then 0).
    ///   - boughtCount: distinct items bought, at least 1.
    static func terms<List: Collection>(_ list: List, boughtCount: Int, ks: [Int], isBought: (List.Element) -> Bool) -> [AtK] {
        precondition(boughtCount > 0)
        var result = ks.map { AtK(k: $0) }
        var hits = 0, precisionSum = 0.0, gain = 0.0, position = 0
        var iterator = list.makeIterator()
        for (index, k) in ks.enumerated() {
            while position < k, let item = iterator.next() {
                position += 1
                guard isBought(item) else { continue }
                hits += 1
                precisionSum += Double(hits) / Double(position)
                gain += 1 / log(1 + Double(position))
            }
            let ideal = (1...min(boughtCount, k)).reduce(0.0) { $0 + 1 / log(1 + Double($1)) }
            result[index] = AtK(k: k, precision: Double(hits) / Double(k), recall: Double(hits) / Double(boughtCount),
                                meanAveragePrecision: precisionSum / Double(min(boughtCount, k)), ndcg: gain / ideal,
                                hitRate: hits > 0 ? 1 : 0)
        }
        return result
    }

    /// Adds one customer's terms (from `terms`, same ks), or another tally's sums over its
    /// `customers`; `averaged` turns the sums into means.
    mutating func add(_ terms: [AtK], customers added: Int = 1) {
        customers += added
        for index in atK.indices {
            atK[index].precision += terms[index].precision
            atK[index].recall += terms[index].recall
            atK[index].meanAveragePrecision += terms[index].meanAveragePrecision
            atK[index].ndcg += terms[index].ndcg
            atK[index].hitRate += terms[index].hitRate
        }
    }

    /// The sums added so far over the customers added.
    var averaged: RankingMetrics {
        guard customers > 0 else { return self }
        var mean = self
        let n = Double(customers)
        for index in mean.atK.indices {
            mean.atK[index].precision /= n
            mean.atK[index].recall /= n
            mean.atK[index].meanAveragePrecision /= n
            mean.atK[index].ndcg /= n
            mean.atK[index].hitRate /= n
        }
        return mean
    }

    /// Distinct items recommended to anyone, over the catalogue's size.
    static func coverage(recommended: [[Int32]], catalogue: Int) -> Double {
        guard catalogue > 0 else { return 0 }
        var seen = Set<Int32>()
        for list in recommended { seen.formUnion(list) }
        return Double(seen.count) / Double(catalogue)
    }
}
