import Foundation

/// k-means clustering (Lloyd's algorithm with greedy k-means++ starts), the same procedure as
/// scikit-learn's `KMeans(init="k-means++", n_init=…, algorithm="lloyd")`, so that inertia agrees
/// with it on the same features.
///
/// - Greedy k-means++: the first centre is a uniformly random point; each next one is the best of
///   2 + ⌊ln k⌋ candidates drawn with probability ∝ squared distance to the nearest centre.
/// - Lloyd: assign every point to its nearest centre, move centres to their points' mean; stop when
///   the centres move less than `tolerance` × the mean variance of the features (squared, summed).
///   An emptied cluster takes the point farthest from its centre.
/// - `restarts` runs from seeds derived from `seed`; the lowest inertia wins.
///
/// Points are a flat row-major array (`count × dimensions`). Work is split into a fixed number of
/// chunks summed in a fixed order, so results are identical on any machine and thread count.
///
/// - Complexity: O(restarts × iterations × n × k × d).
public struct KMeans: Sendable {
    public var clusters: Int
    public var restarts = 10
    public var maxIterations = 300
    public var tolerance = 1e-4
    public var seed: UInt64

    public init(clusters: Int, restarts: Int = 10, maxIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64) {
        self.clusters = clusters
        self.restarts = restarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    public struct Result: Equatable, Sendable {
        /// Row-major `clusters × dimensions`.
        public var centroids: [Double]
        public var labels: [Int32]
        /// Sum of squared distances of points to their centroid.
        public var inertia: Double
        /// Inertia of each cluster.
        public var clusterInertia: [Double]
        public var iterations: Int
    }

    private static let chunks = 16

    public func fit(points: [Double], dimensions d: Int) -> Result {
        let n = points.count / d
        precondition(n >= 1 && clusters >= 1 && points.count == n * d)
        let k = min(clusters, n)
        let threshold = tolerance * meanVariance(points, n: n, d: d)
        func run(_ restart: Int) -> Result {
            var random = SplitMix64(seed: seed).derived(UInt64(restart) &+ 1)
            let start = plusPlusCentres(points, n: n, d: d, k: k, random: &random)
            return lloyd(points, n: n, d: d, k: k, centres: start, threshold: threshold)
        }
        var best = run(0)
        for restart in 1..<max(restarts, 1) {
            let result = run(restart)
            if result.inertia < best.inertia { best = result }
        }
        return best
    }

    // MARK: - Initialisation

    func plusPlusCentres(_ points: [Double], n: Int, d: Int, k: Int, random: inout SplitMix64) -> [Double] {
        let trials = 2 + Int(log(Double(k)))
        var centres = [Double](repeating: 0, count: k * d)
        let first = Int(random.next() % UInt64(n))
        for j in 0..<d { centres[j] = points[first * d + j] }
        var closest = [Double](repeating: 0, count: n)
        points.withUnsafeBufferPointer { p in
            for i in 0..<n { closest[i] = squaredDistance(p, i * d, p, first * d, d) }
        }
        var potential = closest.reduce(0, +)
        var cumulative = [Double](repeating: 0, count: n)
        var candidateDistances = [Double](repeating: 0, count: n * trials)
        for c in 1..<k {
            var running = 0.0
            for i in 0..<n {
                running += closest[i]
                cumulative[i] = running
            }
            var candidates: [Int] = []
            for _ in 0..<trials {
                let target = random.nextUnit() * potential
                candidates.append(min(lowerBound(cumulative, target), n - 1))
            }
            // Potential if each candidate became a centre; keep the best.
            var bestTrial = 0
            var bestPotential = Double.infinity
            points.withUnsafeBufferPointer { p in
                for (t, candidate) in candidates.enumerated() {
                    var sum = 0.0
                    let offset = t * n
                    for i in 0..<n {
                        let distance = min(closest[i], squaredDistance(p, i * d, p, candidate * d, d))
                        candidateDistances[offset + i] = distance
                        sum += distance
                    }
                    if sum < bestPotential {
                        bestPotential = sum
                        bestTrial = t
                    }
                }
            }
            let chosen = candidates[bestTrial]
            for j in 0..<d { centres[c * d + j] = points[chosen * d + j] }
            for i in 0..<n { closest[i] = candidateDistances[bestTrial * n + i] }
            potential = bestPotential
        }
        return centres
    }

    /// First index whose cumulative value is ≥ `target` (numpy's searchsorted, side "left").
    private func lowerBound(_ values: [Double], _ target: Double) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: - Lloyd iterations

    func lloyd(_ points: [Double], n: Int, d: Int, k: Int, centres start: [Double], threshold: Double) -> Result {
        var centres = start
        var labels = [Int32](repeating: 0, count: n)
        var distances = [Double](repeating: 0, count: n)
        var iterations = 0
        for iteration in 1...max(maxIterations, 1) {
            iterations = iteration
            assign(points, n: n, d: d, k: k, centres: centres, labels: &labels, distances: &distances)
            var next = means(points, n: n, d: d, k: k, labels: labels, previous: centres, distances: distances)
            relocateEmpty(&next, points: points, n: n, d: d, k: k, labels: labels, distances: distances)
            var shift = 0.0
            for index in 0..<(k * d) {
                let delta = next[index] - centres[index]
                shift += delta * delta
            }
            centres = next
            if shift <= threshold { break }
        }
        // A last assignment so labels and inertia belong to the final centres.
        assign(points, n: n, d: d, k: k, centres: centres, labels: &labels, distances: &distances)
        var clusterInertia = [Double](repeating: 0, count: k)
        for i in 0..<n { clusterInertia[Int(labels[i])] += distances[i] }
        return Result(centroids: centres, labels: labels, inertia: clusterInertia.reduce(0, +),
                      clusterInertia: clusterInertia, iterations: iterations)
    }

    private func assign(_ points: [Double], n: Int, d: Int, k: Int, centres: [Double], labels: inout [Int32], distances: inout [Double]) {
        let chunk = (n + Self.chunks - 1) / Self.chunks
        points.withUnsafeBufferPointer { p in
          centres.withUnsafeBufferPointer { centres in
            labels.withUnsafeMutableBufferPointer { labelOut in
                distances.withUnsafeMutableBufferPointer { distanceOut in
                    DispatchQueue.concurrentPerform(iterations: Self.chunks) { part in
                        let end = min(n, (part + 1) * chunk)
                        guard part * chunk < end else { return }
                        for i in (part * chunk)..<end {
                            var bestCluster: Int32 = 0
                            var bestDistance = Double.infinity
                            for c in 0..<k {
                                let distance = squaredDistance(p, i * d, centres, c * d, d)
                                if distance < bestDistance {
                                    bestDistance = distance
                                    bestCluster = Int32(c)
                                }
                            }
                            labelOut[i] = bestCluster
                            distanceOut[i] = bestDistance
                        }
                    }
                }
            }
          }
        }
    }

    private func means(_ points: [Double], n: Int, d: Int, k: Int, labels: [Int32], previous: [Double], distances: [Double]) -> [Double] {
        let chunk = (n + Self.chunks - 1) / Self.chunks
        var partialSums = [Double](repeating: 0, count: Self.chunks * k * d)
        var partialCounts = [Int](repeating: 0, count: Self.chunks * k)
        points.withUnsafeBufferPointer { p in
            partialSums.withUnsafeMutableBufferPointer { sums in
                partialCounts.withUnsafeMutableBufferPointer { counts in
                    DispatchQueue.concurrentPerform(iterations: Self.chunks) { part in
                        let end = min(n, (part + 1) * chunk)
                        guard part * chunk < end else { return }
                        for i in (part * chunk)..<end {
                            let c = Int(labels[i])
                            counts[part * k + c] += 1
                            for j in 0..<d { sums[(part * k + c) * d + j] += p[i * d + j] }
                        }
                    }
                }
            }
        }
        var centres = [Double](repeating: 0, count: k * d)
        for c in 0..<k {
            var count = 0
            for part in 0..<Self.chunks { count += partialCounts[part * k + c] }
            guard count > 0 else {
                // Marked empty (NaN) for `relocateEmpty`.
                for j in 0..<d { centres[c * d + j] = .nan }
                continue
            }
            for j in 0..<d {
                var sum = 0.0
                for part in 0..<Self.chunks { sum += partialSums[(part * k + c) * d + j] }
                centres[c * d + j] = sum / Double(count)
            }
        }
        return centres
    }

    /// Moves each empty cluster's centre to the point farthest from its own centre, as scikit-learn does.
    private func relocateEmpty(_ centres: inout [Double], points: [Double], n: Int, d: Int, k: Int, labels: [Int32], distances: [Double]) {
        let empty = (0..<k).filter { centres[$0 * d].isNaN }
        guard !empty.isEmpty else { return }
        let farthest = (0..<n).sorted { distances[$0] != distances[$1] ? distances[$0] > distances[$1] : $0 < $1 }
        for (slot, cluster) in empty.enumerated() {
            let point = farthest[min(slot, n - 1)]
            for j in 0..<d { centres[cluster * d + j] = points[point * d + j] }
        }
    }

    private func meanVariance(_ points: [Double], n: Int, d: Int) -> Double {
        var total = 0.0
        for j in 0..<d {
            var mean = 0.0
            for i in 0..<n { mean += points[i * d + j] }
            mean /= Double(n)
            var variance = 0.0
            for i in 0..<n {
                let delta = points[i * d + j] - mean
                variance += delta * delta
            }
            total += variance / Double(n)
        }
        return total / Double(d)
    }
}

@inline(__always)
func squaredDistance(_ a: UnsafeBufferPointer<Double>, _ aOffset: Int, _ b: UnsafeBufferPointer<Double>, _ bOffset: Int, _ d: Int) -> Double {
    var sum = 0.0
    for j in 0..<d {
        let delta = a[aOffset + j] - b[bOffset + j]
        sum += delta * delta
    }
    return sum
}
