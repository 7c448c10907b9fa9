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
        let score = Silhouette.squaredEuclidean(points: points, dimensions: 2, labels: truth.map { Int32($0) }, clusters: 3)
        #expect(score > 0.99)
        // Points 0, 1, 10 (labels 0, 0, 1), squared distances: s(0) = (100 − 1)/100,
        // s(1) = (81 − 1)/81, s(10) = 0 (alone in its cluster).
        let hand = Silhouette.squaredEuclidean(points: [0, 1, 10], dimensions: 1, labels: [0, 0, 1], clusters: 2)
        #expect(abs(hand - (0.99 + 80.0 / 81.0) / 3) < 1e-12)
    }

    /// The O(n·k) sums against the definition computed pair by pair, on random points and labels.
    @Test func silhouetteMatchesThePairwiseDefinition() {
        var random = SplitMix64(seed: 5)
        let (n, d, k) = (400, 3, 5)
        let points = (0..<(n * d)).map { _ in random.nextUnit() * 10 - 5 }
        let labels = (0..<n).map { Int32($0 < k ? $0 : Int(random.next() % UInt64(k))) }
        var brute = 0.0
        for i in 0..<n {
            var sums = [Double](repeating: 0, count: k), sizes = [Double](repeating: 0, count: k)
            for j in 0..<n where j != i {
                var squared = 0.0
                for t in 0..<d { squared += (points[i * d + t] - points[j * d + t]) * (points[i * d + t] - points[j * d + t]) }
                sums[Int(labels[j])] += squared
                sizes[Int(labels[j])] += 1
            }
            let own = Int(labels[i])
            guard sizes[own] > 0 else { continue }
            let a = sums[own] / sizes[own]
            let b = (0..<k).filter { $0 != own && sizes[$0] > 0 }.map { sums[$0] / sizes[$0] }.min()!
            brute += (b - a) / max(a, b)
        }
        let fast = Silhouette.squaredEuclidean(points: points, dimensions: d, labels: labels, clusters: k)
        #expect(abs(fast - brute / Double(n)) < 1e-12)
    }
}
