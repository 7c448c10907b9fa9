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
        func run(_ restart: Int, parallel: Bool) -> Result {
            var random = SplitMix64(seed: seed).derived(UInt64(restart) &+ 1)
            let start = plusPlusCentres(points, n: n, d: d, k: k, random: &random)
            return lloyd(points, n: n, d: d, k: k, centres: start, threshold: threshold, parallel: parallel)
        }
        let count = max(restarts, 1)
        guard count > 1 else { return run(0, parallel: true) }
        // Restarts are independent: run them side by side, one core each. Each result is the same
        // as when run alone, and the winner is chosen in restart order, so threads change nothing.
        var results = [Result?](repeating: nil, count: count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: count) { restart in
            let result = run(restart, parallel: false)
            lock.lock()
            results[restart] = result
            lock.unlock()
        }
        var best = results[0] ?? run(0, parallel: true)
        for case let result? in results.dropFirst() where result.inertia < best.inertia {
            best = result
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

    /// Lloyd's iterations, accelerated with Hamerly's bounds (2010): each point keeps an upper
    /// bound on the distance to its centre and a lower bound on the distance to every other one,
    /// so after the first iterations most points are confirmed without computing any distance.
    /// The assignments are exactly Lloyd's; only the order of the floating-point sums differs.
    func lloyd(_ points: [Double], n: Int, d: Int, k: Int, centres start: [Double], threshold: Double, parallel: Bool = true) -> Result {
        var state = AssignmentState(n: n, k: k, d: d, parallel: parallel)
        var centres = start
        state.assignAll(points, centres: centres)
        var iterations = 0
        for iteration in 1...max(maxIterations, 1) {
            iterations = iteration
            var next = state.means()
            let emptied = (0..<k).contains { next[$0 * d].isNaN }
            if emptied {
                // The bounds may be loose: rank points by their exact distance to their centre.
                var exact = [Double](repeating: 0, count: n)
                points.withUnsafeBufferPointer { p in
                    centres.withUnsafeBufferPointer { c in
                        for i in 0..<n { exact[i] = squaredDistance(p, i * d, c, Int(state.labels[i]) * d, d) }
                    }
                }
                relocateEmpty(&next, points: points, n: n, d: d, k: k, labels: state.labels, distances: exact,
                              sums: state.sums, counts: state.counts)
            }
            var shift = 0.0
            var moves = [Double](repeating: 0, count: k)
            for cluster in 0..<k {
                var moved = 0.0
                for j in 0..<d {
                    let delta = next[cluster * d + j] - centres[cluster * d + j]
                    moved += delta * delta
                }
                shift += moved
                moves[cluster] = moved.squareRoot()
            }
            centres = next
            if shift <= threshold { break }
            if emptied {
                state.assignAll(points, centres: centres)
            } else {
                state.reassign(points, centres: centres, moves: moves)
            }
        }
        // A last exact assignment so labels and inertia belong to the final centres.
        state.assignAll(points, centres: centres)
        var clusterInertia = [Double](repeating: 0, count: k)
        for i in 0..<n { clusterInertia[Int(state.labels[i])] += state.upper[i] * state.upper[i] }
        return Result(centroids: centres, labels: state.labels, inertia: clusterInertia.reduce(0, +),
                      clusterInertia: clusterInertia, iterations: iterations)
    }

    /// Labels, Hamerly bounds and per-cluster sums, updated in a fixed number of chunks whose
    /// partial results are merged in chunk order (so results never depend on thread timing).
    struct AssignmentState {
        let n: Int, k: Int, d: Int
        /// Chunks run on all cores when true, one after another when false; the results are the same.
        let parallel: Bool
        var labels: [Int32]
        /// Distance (not squared) to the assigned centre: exact after `assignAll`, an upper bound after `reassign`.
        var upper: [Double]
        /// A lower bound on the distance to every other centre.
        var lower: [Double]
        var sums: [Double]
        var counts: [Int]

        init(n: Int, k: Int, d: Int, parallel: Bool) {
            self.n = n
            self.k = k
            self.d = d
            self.parallel = parallel
            labels = [Int32](repeating: 0, count: n)
            upper = [Double](repeating: 0, count: n)
            lower = [Double](repeating: 0, count: n)
            sums = [Double](repeating: 0, count: k * d)
            counts = [Int](repeating: 0, count: k)
        }

        /// Centres as the means of their points; NaN for an empty cluster.
        func means() -> [Double] {
            var next = [Double](repeating: .nan, count: k * d)
            for cluster in 0..<k where counts[cluster] > 0 {
                for j in 0..<d { next[cluster * d + j] = sums[cluster * d + j] / Double(counts[cluster]) }
            }
            return next
        }

        /// Assigns every point from scratch, with exact bounds and sums.
        mutating func assignAll(_ points: [Double], centres: [Double]) {
            sums = [Double](repeating: 0, count: k * d)
            counts = [Int](repeating: 0, count: k)
            pass(points, centres: centres, moves: nil)
        }

        /// Moves the bounds by how far the centres moved and re-examines only the points whose
        /// bounds no longer prove their assignment; sums and counts follow the points that move.
        mutating func reassign(_ points: [Double], centres: [Double], moves: [Double]) {
            pass(points, centres: centres, moves: moves)
        }

        private mutating func pass(_ points: [Double], centres: [Double], moves: [Double]?) {
            let n = self.n, k = self.k, d = self.d
            let chunks = KMeans.chunks
            let chunk = (n + chunks - 1) / chunks
            // Half the distance from each centre to its nearest other centre: a point closer than
            // that to its own centre cannot be closer to any other.
            var halfGap = [Double](repeating: .infinity, count: k)
            for a in 0..<k {
                for b in 0..<k where b != a {
                    var squared = 0.0
                    for j in 0..<d {
                        let delta = centres[a * d + j] - centres[b * d + j]
                        squared += delta * delta
                    }
                    halfGap[a] = min(halfGap[a], squared.squareRoot() / 2)
                }
            }
            let maxMove = moves?.max() ?? 0
            let exhaustive = moves == nil
            let parallel = self.parallel
            let moveBy = moves ?? [Double](repeating: 0, count: k)
            var deltaSums = [Double](repeating: 0, count: chunks * k * d)
            var deltaCounts = [Int](repeating: 0, count: chunks * k)
            points.withUnsafeBufferPointer { p in
              centres.withUnsafeBufferPointer { c in
                labels.withUnsafeMutableBufferPointer { labels in
                  upper.withUnsafeMutableBufferPointer { upper in
                    lower.withUnsafeMutableBufferPointer { lower in
                      deltaSums.withUnsafeMutableBufferPointer { sums in
                        deltaCounts.withUnsafeMutableBufferPointer { counts in
                         halfGap.withUnsafeBufferPointer { halfGap in
                          moveBy.withUnsafeBufferPointer { moves in
                          // The buffer pointers arrive inout; the chunk worker needs plain copies.
                          let (labels, upper, lower, sums, counts) = (labels, upper, lower, sums, counts)
                          func work(_ part: Int) {
                            let end = min(n, (part + 1) * chunk)
                            guard part * chunk < end else { return }
                            let sumBase = part * k * d, countBase = part * k
                            for i in (part * chunk)..<end {
                                let assigned = Int(labels[i])
                                if !exhaustive {
                                    var u = upper[i] + moves[assigned]
                                    let l = lower[i] - maxMove
                                    let bound = max(halfGap[assigned], l)
                                    if u <= bound {
                                        upper[i] = u
                                        lower[i] = l
                                        continue
                                    }
                                    u = squaredDistance(p, i * d, c, assigned * d, d).squareRoot()
                                    if u <= bound {
                                        upper[i] = u
                                        lower[i] = l
                                        continue
                                    }
                                }
                                var best = 0, bestDistance = Double.infinity, second = Double.infinity
                                for cluster in 0..<k {
                                    let distance = squaredDistance(p, i * d, c, cluster * d, d)
                                    if distance < bestDistance {
                                        second = bestDistance
                                        bestDistance = distance
                                        best = cluster
                                    } else if distance < second {
                                        second = distance
                                    }
                                }
                                upper[i] = bestDistance.squareRoot()
                                lower[i] = second.squareRoot()
                                if exhaustive {
                                    labels[i] = Int32(best)
                                    counts[countBase + best] += 1
                                    for j in 0..<d { sums[sumBase + best * d + j] += p[i * d + j] }
                                } else if best != assigned {
                                    labels[i] = Int32(best)
                                    counts[countBase + assigned] -= 1
                                    counts[countBase + best] += 1
                                    for j in 0..<d {
                                        sums[sumBase + assigned * d + j] -= p[i * d + j]
                                        sums[sumBase + best * d + j] += p[i * d + j]
                                    }
                                }
                            }
                          }
                          if parallel {
                              DispatchQueue.concurrentPerform(iterations: chunks) { work($0) }
                          } else {
                              for part in 0..<chunks { work(part) }
                          }
                          }
                         }
                        }
                      }
                    }
                  }
                }
              }
            }
            for part in 0..<chunks {
                for cluster in 0..<k {
                    counts[cluster] += deltaCounts[part * k + cluster]
                    for j in 0..<d { sums[cluster * d + j] += deltaSums[(part * k + cluster) * d + j] }
                }
            }
        }
    }

    /// Moves each empty cluster's centre to the point farthest from its own centre, and takes that
    /// point out of the mean of the cluster it leaves, as scikit-learn does.
    private func relocateEmpty(_ centres: inout [Double], points: [Double], n: Int, d: Int, k: Int, labels: [Int32],
                               distances: [Double], sums: [Double], counts: [Int]) {
        let empty = (0..<k).filter { centres[$0 * d].isNaN }
        guard !empty.isEmpty else { return }
        var sums = sums, counts = counts
        let farthest = (0..<n).sorted { distances[$0] != distances[$1] ? distances[$0] > distances[$1] : $0 < $1 }
        for (slot, cluster) in empty.enumerated() {
            let point = farthest[min(slot, n - 1)]
            let previous = Int(labels[point])
            for j in 0..<d { centres[cluster * d + j] = points[point * d + j] }
            guard counts[previous] > 1 else { continue }
            counts[previous] -= 1
            for j in 0..<d {
                sums[previous * d + j] -= points[point * d + j]
                centres[previous * d + j] = sums[previous * d + j] / Double(counts[previous])
            }
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
    if d == 3 {
        // The RFM case, written out so the compiler keeps it in registers (the branch is free: d
        // never changes within a run).
        let x = a[aOffset] - b[bOffset], y = a[aOffset + 1] - b[bOffset + 1], z = a[aOffset + 2] - b[bOffset + 2]
        return x * x + y * y + z * z
    }
    var sum = 0.0
    for j in 0..<d {
        let delta = a[aOffset + j] - b[bOffset + j]
        sum += delta * delta
    }
    return sum
}
