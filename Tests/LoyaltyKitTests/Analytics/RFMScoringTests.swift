import Testing
@testable import LoyaltyKit

@Suite struct QuantileTests {
    @Test func type7InterpolatesBetweenOrderStatistics() {
        #expect(Quantiles.type7(sorted: [1, 2, 3, 4], p: 0.5) == 2.5)
        #expect(Quantiles.type7(sorted: [1, 2, 3, 4], p: 0.25) == 1.75)
        #expect(Quantiles.type7(sorted: [10], p: 0.8) == 10)
        #expect(Quantiles.type7(sorted: [1, 3], p: 0.2) == 1.4)
        #expect(Quantiles.type7(sorted: [1, 3], p: 1) == 3)
        #expect(Quantiles.type7(sorted: [5, 5, 5, 9], p: 0.6) == 5)
    }

    @Test func probabilitiesAreComputedAsRsSeq() {
        // R: seq(0, 1, length.out = 6)[2:5] == c(0.2, 0.4, 0.6000000000000001, 0.8)
        #expect(Quantiles.interiorProbabilities(bins: 5) == [0.2, 0.4, 0.6000000000000001, 0.8])
    }
}

@Suite struct RFMScoringTests {
    @Test func cutPointsAreQuantilesPlusOne() {
        // n = 5, p = 0.2 … 0.8: h = 0.8, 1.6, 2.4, 3.2 over [1, 1, 2, 3, 8]
        // q = 1, 1.6, 2.4, 4.0 → cut points 2, 2.6, 3.4, 5
        let cuts = RFMScoring.cutPoints(sorted: [1, 1, 2, 3, 8], bins: 5)
        #expect(cuts.count == 4)
        #expect(cuts[0] == 2)
        #expect(abs(cuts[1] - 2.6) < 1e-12)
        #expect(abs(cuts[2] - 3.4) < 1e-12)
        #expect(abs(cuts[3] - 5) < 1e-12)
        let (scores, thresholds) = RFMScoring.score([1, 1, 2, 3, 8], bins: 5, direction: .ascending)
        // 1 < 2 → bin 1; 2 ∈ [2, 2.6) → 2; 3 ∈ [2.6, 3.4) → 3; 8 ∈ [5, 9) → 5; nobody in [3.4, 5)
        #expect(scores == [1, 1, 2, 3, 5])
        #expect(thresholds.counts == [2, 1, 1, 0, 1])
        #expect(thresholds.emptyScores == [4])
        #expect(thresholds.lower.first == 1)
        #expect(thresholds.upper.last == 9)
    }

    @Test func recencyIsReversedSoRecentIsBest() {
        let (scores, _) = RFMScoring.score([1, 1, 2, 3, 8], bins: 5, direction: .descending)
        #expect(scores == [5, 5, 4, 3, 1])
    }

    @Test func valuesOnACutPointGoUp() {
        // [0 … 9]: q(0.5) = 4.5 → cut 5.5 with 2 bins; 5 stays low, 6 goes up.
        let (scores, thresholds) = RFMScoring.score((0..<10).map(Double.init), bins: 2, direction: .ascending)
        #expect(thresholds.cutPoints == [5.5])
        #expect(scores == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2])
        // A value exactly on a cut point belongs to the upper bin: [lower, upper).
        #expect(RFMScoring.bin(of: 5.5, cutPoints: [5.5]) == 1)
    }

    @Test func oneCustomerAndTwoCustomers() {
        let (one, oneThresholds) = RFMScoring.score([42], bins: 5, direction: .ascending)
        // All quantiles are 42, all cut points 43: everyone is in bin 1, bins 2–5 are empty.
        #expect(one == [1])
        #expect(oneThresholds.emptyScores == [2, 3, 4, 5])
        let (two, _) = RFMScoring.score([10, 20], bins: 5, direction: .ascending)
        // q = 12, 14, 16, 18 → cuts 13, 15, 17, 19: 10 → 1, 20 → 5
        #expect(two == [1, 5])
    }

    @Test func tiesGetEqualScoresAndCollapsedCutPointsLeaveEmptyBins() {
        let values: [Double] = [1, 1, 1, 1, 1, 1, 1, 2, 5, 9]
        let (scores, thresholds) = RFMScoring.score(values, bins: 5, direction: .ascending)
        // q(0.2…0.6) = 1 → cut points 2, 2, 2; q(0.8) = 2.6 → 3.6
        #expect(thresholds.cutPoints[0...2] == [2, 2, 2])
        #expect(scores == [1, 1, 1, 1, 1, 1, 1, 4, 5, 5])
        #expect(thresholds.emptyScores == [2, 3])
    }

    @Test func fixedCutPointsAreUsedAsGiven() {
        let (scores, thresholds) = RFMScoring.score([0, 10, 29, 30, 100], bins: 3, direction: .descending, fixedCutPoints: [10, 30])
        #expect(thresholds.cutPoints == [10, 30])
        // bins [0,10) [10,30) [30,101); recency reversed: 3, 2, 2, 1, 1
        #expect(scores == [3, 2, 2, 1, 1])
    }
}

@Suite struct SegmentRuleBookTests {
    let book = SegmentRuleBook(rules: SegmentRule.contractDefaults, bins: 5)

    @Test(arguments: [
        (5, 5, 5, "Champions"), (3, 3, 2, "Potential Loyalist"), (4, 5, 5, "Potential Loyalist"),
        (2, 2, 2, "Loyal Customers"), (4, 2, 4, "Loyal Customers"), (3, 1, 3, "Promising"), (4, 1, 5, "Promising"),
        (5, 1, 1, "New Customers"), (4, 3, 1, "New Customers"), (2, 3, 5, "Can't Lose Them"), (1, 4, 4, "Can't Lose Them"),
        (1, 5, 5, "At Risk"), (1, 2, 4, "At Risk"), (1, 3, 3, "Need Attention"), (3, 5, 1, "Others"),
        (2, 1, 1, "About To Sleep"), (3, 2, 1, "About To Sleep"), (1, 1, 1, "Lost"), (1, 1, 5, "Lost"), (1, 5, 1, "Lost"),
    ])
    func defaultRulesFirstMatchWins(r: Int, f: Int, m: Int, expected: String) {
        #expect(book.segment(r: r, f: f, m: m) == expected)
    }

    @Test func hiddenRulesAndCombinationsToOthersAreReported() {
        let rules = [
            SegmentRule(name: "Wide", recency: 1...5, frequency: 1...5, monetary: 2...5),
            SegmentRule(name: "Narrow", recency: 3...3, frequency: 3...3, monetary: 3...3),
        ]
        let book = SegmentRuleBook(rules: rules, bins: 5)
        #expect(book.hiddenRules == ["Narrow"])
        #expect(book.combinationsToOthers.count == 25)
        #expect(book.combinationsToOthers.first == 111)
        #expect(SegmentRuleBook(rules: SegmentRule.contractDefaults, bins: 5).hiddenRules.isEmpty)
    }
}
