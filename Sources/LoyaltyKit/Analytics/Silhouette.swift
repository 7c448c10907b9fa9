import Foundation

/// Mean silhouette coefficient (Rousseeuw 1987), as scikit-learn's `silhouette_score` with the
/// Euclidean metric: for each point, a = mean distance to the other points of its cluster,
/// b = the smallest mean distance to another cluster's points, s = (b − a) / max(a, b); a point
/// alone in its cluster scores 0.
///
/// - Complexity: O(n² × d); call it on a sample (the segment stage uses at most 20,000 points).
public enum Silhouette {
    public static func mean(points: [Double], dimensions d: Int, labels: [Int32], clusters k: Int) -> Double {
        let n = labels.count
        guard n > 1, k > 1 else { return 0 }
        var sizes = [Int](repeating: 0, count: k)
        for label in labels { sizes[Int(label)] += 1 }
        let chunks = 16
        let chunk = (n + chunks - 1) / chunks
        var partial = [Double](repeating: 0, count: chunks)
        points.withUnsafeBufferPointer { p in
            labels.withUnsafeBufferPointer { labels in
                partial.withUnsafeMutableBufferPointer { partial in
                    DispatchQueue.concurrentPerform(iterations: chunks) { part in
                        var sums = [Double](repeating: 0, count: k)
                        var total = 0.0
                        let end = min(n, (part + 1) * chunk)
                        guard part * chunk < end else { return }
                        for i in (part * chunk)..<end {
                            for c in 0..<k { sums[c] = 0 }
                            for j in 0..<n where j != i {
                                sums[Int(labels[j])] += squaredDistance(p, i * d, p, j * d, d).squareRoot()
                            }
                            let own = Int(labels[i])
                            guard sizes[own] > 1 else { continue }
                            let a = sums[own] / Double(sizes[own] - 1)
                            var b = Double.infinity
                            for c in 0..<k where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
                            guard b.isFinite else { continue }
                            let denominator = max(a, b)
                            total += denominator > 0 ? (b - a) / denominator : 0
                        }
                        partial[part] = total
                    }
                }
            }
        }
        return partial.reduce(0, +) / Double(n)
    }
}
