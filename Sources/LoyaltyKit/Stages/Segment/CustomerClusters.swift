import Foundation

/// Clusters the scored customers with k-means on standardised log RFM features and describes each
/// cluster in words a marketer can use.
///
/// Features: log1p(recency_days), log1p(frequency), log1p(max(monetary, 0)), each standardised to
/// mean 0 and standard deviation 1 (population) over the clustered customers. Clusters are
/// numbered from 0 by descending mean monetary, so the numbering is stable for the same data.
struct CustomerClusters {
    struct Profile: Equatable {
        var cluster: Int
        var label: String
        var customers: Int
        /// The centroid mapped back to original units (the inverse of the feature transform).
        var centroidRecencyDays: Double
        var centroidFrequency: Double
        var centroidMonetary: Double
        var inertiaShare: Double
    }

    /// Cluster per scored customer, in input order.
    var labels: [Int]
    var profiles: [Profile]
    /// Mean silhouette per k tried when k was chosen automatically.
    var silhouettes: [(k: Int, score: Double)]

    static let silhouetteSample = 20_000

    /// - Parameters:
    ///   - monetary: in currency units.
    ///   - k: clusters, or nil to choose in `kRange` by the highest mean silhouette (squared
    ///     Euclidean, as Spark's) of k-means fits on a sample of at most 20,000 customers.
    static func fit(recencyDays: [Double], frequency: [Double], monetary: [Double], k: Int?, kRange: ClosedRange<Int> = 4...8, restarts: Int,
                    maxIterations: Int = 300, seed: UInt64) -> CustomerClusters {
        let n = recencyDays.count
        guard n > 0 else { return CustomerClusters(labels: [], profiles: [], silhouettes: []) }
        var raw = [[Double]](repeating: [], count: 3)
        raw[0] = recencyDays.map { log1p(max($0, 0)) }
        raw[1] = frequency.map { log1p($0) }
        raw[2] = monetary.map { log1p(max($0, 0)) }
        var means = [Double](repeating: 0, count: 3)
        var deviations = [Double](repeating: 1, count: 3)
        var points = [Double](repeating: 0, count: n * 3)
        for j in 0..<3 {
            let mean = raw[j].reduce(0, +) / Double(n)
            let variance = raw[j].reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            means[j] = mean
            // A constant feature carries no information: it stays 0 rather than dividing by zero.
            deviations[j] = variance > 0 ? variance.squareRoot() : 1
            for i in 0..<n { points[i * 3 + j] = (raw[j][i] - mean) / deviations[j] }
        }

        var silhouettes: [(Int, Double)] = []
        let clusters: Int
        if let k {
            clusters = min(k, n)
        } else {
            let sample = sampleIndices(n, limit: silhouetteSample, seed: seed)
            var samplePoints = [Double]()
            samplePoints.reserveCapacity(sample.count * 3)
            for i in sample { samplePoints.append(contentsOf: points[(i * 3)..<(i * 3 + 3)]) }
            var best = (k: 1, score: -Double.infinity)
            for candidate in kRange where candidate < sample.count {
                let fit = KMeans(clusters: candidate, restarts: restarts, maxIterations: maxIterations, seed: seed).fit(points: samplePoints, dimensions: 3)
                let score = Silhouette.squaredEuclidean(points: samplePoints, dimensions: 3, labels: fit.labels, clusters: candidate)
                silhouettes.append((candidate, score))
                if score > best.score { best = (candidate, score) }
            }
            clusters = best.score.isFinite ? best.k : 1
        }
        let fit = KMeans(clusters: clusters, restarts: restarts, maxIterations: maxIterations, seed: seed).fit(points: points, dimensions: 3)
        let k = fit.centroids.count / 3

        // Number clusters by descending mean monetary (original units), ties by k-means' order.
        var sizes = [Int](repeating: 0, count: k)
        var monetarySums = [Double](repeating: 0, count: k)
        for i in 0..<n {
            sizes[Int(fit.labels[i])] += 1
            monetarySums[Int(fit.labels[i])] += monetary[i]
        }
        let meanMonetary = (0..<k).map { sizes[$0] > 0 ? monetarySums[$0] / Double(sizes[$0]) : -Double.infinity }
        let order = (0..<k).sorted { meanMonetary[$0] != meanMonetary[$1] ? meanMonetary[$0] > meanMonetary[$1] : $0 < $1 }
        var renumber = [Int](repeating: 0, count: k)
        for (number, raw) in order.enumerated() { renumber[raw] = number }

        let totalInertia = fit.inertia
        var labelsSeen: [String: Int] = [:]
        let profiles = order.enumerated().map { number, rawCluster -> Profile in
            let z = (0..<3).map { fit.centroids[rawCluster * 3 + $0] }
            let original = (0..<3).map { expm1(z[$0] * deviations[$0] + means[$0]) }
            // With up to 8 clusters two centres can read the same: number the later ones.
            var words = label(z)
            labelsSeen[words, default: 0] += 1
            if let seen = labelsSeen[words], seen > 1 { words += " (\(seen))" }
            return Profile(
                cluster: number, label: words, customers: sizes[rawCluster],
                centroidRecencyDays: original[0], centroidFrequency: original[1], centroidMonetary: original[2],
                inertiaShare: totalInertia > 0 ? fit.clusterInertia[rawCluster] / totalInertia : 0)
        }
        return CustomerClusters(labels: fit.labels.map { renumber[Int($0)] }, profiles: profiles, silhouettes: silhouettes)
    }

    /// "high value · recent · frequent": each standardised centroid coordinate read against ±0.5.
    static func label(_ z: [Double]) -> String {
        let value = z[2] >= 0.5 ? "high value" : z[2] <= -0.5 ? "low value" : "mid value"
        let recency = z[0] <= -0.5 ? "recent" : z[0] >= 0.5 ? "lapsed" : "lapsing"
        let frequency = z[1] >= 0.5 ? "frequent" : z[1] <= -0.5 ? "one-off" : "occasional"
        return [value, recency, frequency].joined(separator: " · ")
    }

    /// A deterministic sample of at most `limit` of 0..<n, in ascending order.
    static func sampleIndices(_ n: Int, limit: Int, seed: UInt64) -> [Int] {
        guard n > limit else { return Array(0..<n) }
        var indices = Array(0..<n)
        var random = SplitMix64(seed: seed).derived(0x5111_0E77)
        for i in 0..<limit {
            let j = i + Int(random.next() % UInt64(n - i))
            indices.swapAt(i, j)
        }
        return indices[0..<limit].sorted()
    }
}
