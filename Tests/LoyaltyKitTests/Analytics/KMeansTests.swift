import Testing
@testable import LoyaltyKit

@Suite struct KMeansTests {
    /// Three tight, far-apart blobs in 2-D: any sensible k-means finds them exactly.
    func blobs() -> (points: [Double], truth: [Int]) {
        var random = SplitMix64(seed: 7)
        let centres: [(Double, Double)] = [(0, 0), (10, 10), (-10, 8)]
        var points: [Double] = []
        var truth: [Int] = []
        for i in 0..<300 {
            let c = i % 3
            points.append(centres[c].0 + random.nextUnit() - 0.5)
            points.append(centres[c].1 + random.nextUnit() - 0.5)
            truth.append(c)
        }
        return (points, truth)
    }

    @Test func wellSeparatedBlobsArePartitionedExactly() {
        let (points, truth) = blobs()
        let result = KMeans(clusters: 3, seed: 42).fit(points: points, dimensions: 2)
        // Same partition: points share a label exactly when they share a blob.
        for i in 0..<truth.count {
            for j in stride(from: i + 1, to: truth.count, by: 7) {
                #expect((result.labels[i] == result.labels[j]) == (truth[i] == truth[j]))
            }
        }
        // Inertia equals the sum of squared distances to the blob means, computed directly.
        var direct = 0.0
        for c in 0..<3 {
            let members = (0..<truth.count).filter { truth[$0] == c }
            let mx = members.map { points[$0 * 2] }.reduce(0, +) / Double(members.count)
            let my = members.map { points[$0 * 2 + 1] }.reduce(0, +) / Double(members.count)
            direct += members.map { (points[$0 * 2] - mx) * (points[$0 * 2] - mx) + (points[$0 * 2 + 1] - my) * (points[$0 * 2 + 1] - my) }.reduce(0, +)
        }
        #expect(abs(result.inertia - direct) < 1e-9 * direct)
        #expect(abs(result.clusterInertia.reduce(0, +) - result.inertia) < 1e-9)
    }

    @Test func sameSeedSameResultOtherSeedStillSameInertia() {
        let (points, _) = blobs()
        let a = KMeans(clusters: 3, seed: 42).fit(points: points, dimensions: 2)
        let b = KMeans(clusters: 3, seed: 42).fit(points: points, dimensions: 2)
        #expect(a == b)
        let c = KMeans(clusters: 3, seed: 9).fit(points: points, dimensions: 2)
        #expect(abs(a.inertia - c.inertia) < 1e-9)
    }

    @Test func handCheckedOneDimensionalCase() {
        // 1-D points 0, 1, 10, 11 with k = 2: centres 0.5 and 10.5, inertia 4 × 0.25 = 1.
        let result = KMeans(clusters: 2, seed: 1).fit(points: [0, 1, 10, 11], dimensions: 1)
        #expect(Set(result.centroids) == [0.5, 10.5])
        #expect(result.inertia == 1)
        #expect(result.labels[0] == result.labels[1] && result.labels[2] == result.labels[3] && result.labels[0] != result.labels[2])
    }

    @Test func duplicatePointsLeaveNoClusterEmptyForLong() {
        // Four identical points and one apart, three clusters: starts can coincide and a cluster
        // empties; it is moved to a far point and the result is still a perfect fit.
        for seed in 0..<20 {
            let result = KMeans(clusters: 3, restarts: 1, seed: UInt64(seed)).fit(points: [0, 0, 0, 0, 10, 10.5], dimensions: 1)
            #expect(result.inertia <= 0.125 + 1e-12, "seed \(seed)")
            #expect(!result.centroids.contains { $0.isNaN })
        }
    }

    @Test func moreClustersThanPointsAndDuplicates() {
        let result = KMeans(clusters: 5, seed: 3).fit(points: [1, 1, 1], dimensions: 1)
        #expect(result.inertia == 0)
        #expect(result.centroids.count == 3)
    }

    @Test func silhouetteOfSeparatedBlobsIsHighAndOfAHandCase() {
        let (points, truth) = blobs()
        let score = Silhouette.mean(points: points, dimensions: 2, labels: truth.map { Int32($0) }, clusters: 3)
        #expect(score > 0.9)
        // Points 0, 1, 10 (labels 0, 0, 1): s(0) = (10 − 1)/10, s(1) = (9 − 1)/9, s(10) = 0 (alone).
        let hand = Silhouette.mean(points: [0, 1, 10], dimensions: 1, labels: [0, 0, 1], clusters: 2)
        #expect(abs(hand - (0.9 + 8.0 / 9.0) / 3) < 1e-12)
    }
}
