import Foundation
import Testing
@testable import LoyaltyKit

/// The backtest's metrics on a case worked out by hand (the definitions of Microsoft Recommenders).
@Suite struct RankingMetricsTests {
    /// A: recommended 1, 2, 3, 4 and bought 2, 4, 9 (hits at ranks 2 and 4); B: recommended 5 and
    /// bought 5; C bought nothing and D got no recommendation: neither counts (n = 2).
    @Test func handWorkedCase() {
        let metrics = RankingMetrics.evaluate(recommended: [[1, 2, 3, 4], [5], [7], []], bought: [[2, 4, 9], [5], [], [1]], ks: [1, 3, 10])
        #expect(metrics.customers == 2)
        let ideal3 = 1 / log(2.0) + 1 / log(3.0) + 1 / log(4.0)
        let expected: [(k: Int, precision: Double, recall: Double, map: Double, ndcg: Double, hit: Double)] = [
            (1, 0.5, 0.5, 0.5, 0.5, 0.5),
            // A: 1 hit of 3 shown, (1/2) / min(3, 3) = 1/6, DCG 1/ln 3; B: 1/3, 1, 1, 1.
            (3, 1.0 / 3, (1.0 / 3 + 1) / 2, (1.0 / 6 + 1) / 2, ((1 / log(3.0)) / ideal3 + 1) / 2, 1),
            // A: 2 of 10, 2/3, (1/2 + 2/4) / 3 = 1/3, DCG 1/ln 3 + 1/ln 5; B: 1/10, 1, 1, 1.
            (10, 0.15, (2.0 / 3 + 1) / 2, (1.0 / 3 + 1) / 2, ((1 / log(3.0) + 1 / log(5.0)) / ideal3 + 1) / 2, 1),
        ]
        for (atK, want) in zip(metrics.atK, expected) {
            #expect(atK.k == want.k)
            #expect(abs(atK.precision - want.precision) < 1e-15, "precision@\(want.k)")
            #expect(abs(atK.recall - want.recall) < 1e-15, "recall@\(want.k)")
            #expect(abs(atK.meanAveragePrecision - want.map) < 1e-15, "MAP@\(want.k)")
            #expect(abs(atK.ndcg - want.ndcg) < 1e-15, "NDCG@\(want.k)")
            #expect(atK.hitRate == want.hit, "hit rate@\(want.k)")
        }
        #expect(RankingMetrics.coverage(recommended: [[1, 2, 3, 4], [5], [7], []], catalogue: 20) == 0.3)
    }

    /// More purchases than k: MAP@k and the ideal DCG count min(|T|, k) of them, recall all of them.
    @Test func morePurchasesThanK() {
        let metrics = RankingMetrics.evaluate(recommended: [[1, 2]], bought: [[1, 2, 3, 4]], ks: [1, 2])
        #expect(metrics.atK[0].meanAveragePrecision == 1 && metrics.atK[0].ndcg == 1 && metrics.atK[0].recall == 0.25)
        #expect(metrics.atK[1].meanAveragePrecision == 1 && abs(metrics.atK[1].ndcg - 1) < 1e-15 && metrics.atK[1].recall == 0.5)
    }

    @Test func nobodyToEvaluate() {
        let metrics = RankingMetrics.evaluate(recommended: [[1]], bought: [[]], ks: [3])
        #expect(metrics.customers == 0 && metrics.atK == [RankingMetrics.AtK(k: 3)])
    }
}
