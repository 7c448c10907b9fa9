import Foundation
import Testing
@testable import LoyaltyKit

/// `segment.k: auto`: k is chosen in `segment.k_range` by the mean silhouette, and labels read.
@Suite struct CustomerClustersTests {
    /// Five tight groups of customers, far apart on the log scale the clusters work on.
    func fiveGroups() -> (recency: [Double], frequency: [Double], monetary: [Double]) {
        let groups: [(Double, Double, Double)] = [(2, 40, 5000), (3, 2, 30), (300, 30, 4000), (500, 1, 20), (40, 8, 400)]
        var random = SplitMix64(seed: 9)
        var recency: [Double] = [], frequency: [Double] = [], monetary: [Double] = []
        for i in 0..<1000 {
            let group = groups[i % groups.count]
            let jitter = { 1 + 0.05 * (random.nextUnit() - 0.5) }
            recency.append((group.0 * jitter()).rounded())
            frequency.append((group.1 * jitter()).rounded())
            monetary.append(group.2 * jitter())
        }
        return (recency, frequency, monetary)
    }

    @Test func autoChoosesTheBestSeparatedKInTheRange() {
        let (recency, frequency, monetary) = fiveGroups()
        let clusters = CustomerClusters.fit(recencyDays: recency, frequency: frequency, monetary: monetary, k: nil, kRange: 4...8,
                                            restarts: 4, seed: 42)
        #expect(clusters.silhouettes.map(\.k) == [4, 5, 6, 7, 8])
        let best = clusters.silhouettes.max { $0.score < $1.score }!
        #expect(best.k == 5)
        #expect(clusters.profiles.count == 5)
        #expect(Set(clusters.profiles.map(\.label)).count == 5)
        // A range that excludes the true k still answers within it.
        let narrow = CustomerClusters.fit(recencyDays: recency, frequency: frequency, monetary: monetary, k: nil, kRange: 2...3,
                                          restarts: 4, seed: 42)
        #expect([2, 3].contains(narrow.profiles.count))
    }

    /// Two groups with the same words get numbered: the labels stay unique.
    @Test func sameWordsAreNumbered() {
        let recency = [Double](repeating: 1, count: 40) + [Double](repeating: 2, count: 40) + [Double](repeating: 600, count: 120)
        let frequency = [Double](repeating: 50, count: 40) + [Double](repeating: 60, count: 40) + [Double](repeating: 1, count: 120)
        let monetary = [Double](repeating: 9000, count: 40) + [Double](repeating: 5000, count: 40) + [Double](repeating: 10, count: 120)
        let clusters = CustomerClusters.fit(recencyDays: recency, frequency: frequency, monetary: monetary, k: 3, restarts: 4, seed: 1)
        #expect(clusters.profiles.map(\.label) == ["high value · recent · frequent", "high value · recent · frequent (2)", "low value · lapsed · one-off"])
    }
}
