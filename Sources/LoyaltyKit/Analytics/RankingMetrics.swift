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

    /// - Parameters:
    ///   - recommended: per customer, distinct items best first.
    ///   - bought: per customer (same order), the items bought in the horizon.
    static func evaluate(recommended: [[Int32]], bought: [Set<Int32>], ks: [Int]) -> RankingMetrics {
        precondition(recommended.count == bought.count && ks.allSatisfy { $0 > 0 })
        var metrics = RankingMetrics(atK: ks.map { AtK(k: $0) })
        for (list, truth) in zip(recommended, bought) where !list.isEmpty && !truth.isEmpty {
            metrics.customers += 1
            for (index, k) in ks.enumerated() {
                var hits = 0, precisionSum = 0.0, gain = 0.0
                for (position, item) in list.prefix(k).enumerated() where truth.contains(item) {
                    hits += 1
                    let rank = Double(position + 1)
                    precisionSum += Double(hits) / rank
                    gain += 1 / log(1 + rank)
                }
                let ideal = (1...min(truth.count, k)).reduce(0.0) { $0 + 1 / log(1 + Double($1)) }
                metrics.atK[index].precision += Double(hits) / Double(k)
                metrics.atK[index].recall += Double(hits) / Double(truth.count)
                metrics.atK[index].meanAveragePrecision += precisionSum / Double(min(truth.count, k))
                metrics.atK[index].ndcg += gain / ideal
                metrics.atK[index].hitRate += hits > 0 ? 1 : 0
            }
        }
        guard metrics.customers > 0 else { return metrics }
        let n = Double(metrics.customers)
        for index in metrics.atK.indices {
            metrics.atK[index].precision /= n
            metrics.atK[index].recall /= n
            metrics.atK[index].meanAveragePrecision /= n
            metrics.atK[index].ndcg /= n
            metrics.atK[index].hitRate /= n
        }
        return metrics
    }

    /// Distinct items recommended to anyone, over the catalogue's size.
    static func coverage(recommended: [[Int32]], catalogue: Int) -> Double {
        guard catalogue > 0 else { return 0 }
        var seen = Set<Int32>()
        for list in recommended { seen.formUnion(list) }
        return Double(seen.count) / Double(catalogue)
    }
}
