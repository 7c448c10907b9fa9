import Testing
@testable import LoyaltyKit

@Suite struct PairCounterTests {
    /// The contract's worked example with items numbered in name order: Apple 0, Corn 1, Dill 2,
    /// Eggs 3, Ice cream 4, Kidney Beans 5, Milk 6, Nutmeg 7, Onion 8, Unicorn 9, Yogurt 10.
    let baskets: [[Int32]] = [[3, 5, 6, 7, 8, 10], [2, 3, 5, 7, 8, 10], [0, 3, 5, 6], [1, 5, 6, 9, 10], [1, 3, 4, 5, 8]]

    @Test func contractWorkedExample() {
        let counts = PairCounter.count(baskets: baskets, itemCount: 11, minCount: 3)
        #expect(counts.baskets == 5)
        #expect(counts.pairs == [
            .init(a: 3, b: 5, count: 4), .init(a: 3, b: 8, count: 3), .init(a: 5, b: 6, count: 3),
            .init(a: 5, b: 8, count: 3), .init(a: 5, b: 10, count: 3),
        ])
        let eggsBeans = AssociationMetrics(together: 4, countA: counts.itemCounts[3], countB: counts.itemCounts[5], baskets: 5)
        #expect(eggsBeans.support == 0.8 && eggsBeans.confidenceAB == 1.0 && eggsBeans.confidenceBA == 0.8)
        #expect(eggsBeans.lift == 1.0 && eggsBeans.leverage == 0)
        #expect(eggsBeans.convictionAB == nil && eggsBeans.convictionBA == 1.0)
        let eggsOnion = AssociationMetrics(together: 3, countA: counts.itemCounts[3], countB: counts.itemCounts[8], baskets: 5)
        #expect(eggsOnion.confidenceAB == 0.75 && eggsOnion.confidenceBA == 1.0 && eggsOnion.lift == 1.25)
        #expect(abs(eggsOnion.leverage - 0.12) < 1e-15)
        #expect(abs((eggsOnion.convictionAB ?? 0) - 1.6) < 1e-15 && eggsOnion.convictionBA == nil)
        #expect(eggsOnion.jaccard == 0.75 && eggsOnion.kulczynski == 0.875)
    }

    @Test func duplicatesInABasketCountOnceAndTheMinimumIsInclusive() {
        let counts = PairCounter.count(baskets: [[1, 1, 2], [2, 1, 2], [0]], itemCount: 3, minCount: 2)
        #expect(counts.itemCounts == [1, 2, 2])
        #expect(counts.pairs == [.init(a: 1, b: 2, count: 2)])
        #expect(PairCounter.count(baskets: [[1, 1, 2], [2, 1, 2]], itemCount: 3, minCount: 3).pairs.isEmpty)
    }

    /// Against a brute-force count over random baskets: many items with small baskets and a few of
    /// 1,000 items, and few items in dense baskets (where partners are read from the counters in order).
    @Test(arguments: [(1_500, 8), (30, 25)])
    func matchesBruteForce(itemCount: Int, smallBasketSize: UInt64) {
        var random = SplitMix64(seed: 11)
        var baskets: [[Int32]] = []
        for index in 0..<400 {
            let size = index % 97 == 0 ? 1_000 : Int(random.next() % smallBasketSize) + 1
            baskets.append((0..<size).map { _ in Int32(random.next() % UInt64(itemCount)) })
        }
        let counts = PairCounter.count(baskets: baskets, itemCount: itemCount, minCount: 2)
        var brute: [Int64: Int] = [:]
        for basket in baskets {
            let items = Array(Set(basket)).sorted()
            for i in 0..<items.count { for j in (i + 1)..<items.count { brute[Int64(items[i]) << 32 | Int64(items[j]), default: 0] += 1 } }
        }
        let expected = brute.filter { $0.value >= 2 }.sorted { $0.key < $1.key }.map {
            PairCounter.Pair(a: Int32($0.key >> 32), b: Int32(truncatingIfNeeded: $0.key), count: $0.value)
        }
        #expect(counts.pairs == expected)
        #expect(expected.count > min(1_000, itemCount * (itemCount - 1) / 2 - 1))
    }
}

@Suite struct WindowedPairCounterTests {
    @Test func pairsWithinTheWindowCountOncePerCustomer() {
        // Customer 0: item 1 on day 0, item 2 on day 5 and again on day 6; customer 1: 20 days apart;
        // customer 2: both on one day, twice.
        let counts = WindowedPairCounter.count(
            events: [(0, 0, 1), (0, 5, 2), (0, 6, 2), (1, 0, 1), (1, 20, 2), (2, 3, 1), (2, 3, 2), (2, 4, 1), (2, 4, 2)],
            windowDays: 7, itemCount: 3, minCount: 1)
        #expect(counts.baskets == 3)
        #expect(counts.itemCounts == [0, 3, 3])
        #expect(counts.pairs == [.init(a: 1, b: 2, count: 2)])
        // Window 0: only the same day.
        let sameDay = WindowedPairCounter.count(events: [(0, 0, 1), (0, 5, 2), (2, 3, 1), (2, 3, 2)], windowDays: 0, itemCount: 3, minCount: 1)
        #expect(sameDay.pairs == [.init(a: 1, b: 2, count: 1)])
    }
}
