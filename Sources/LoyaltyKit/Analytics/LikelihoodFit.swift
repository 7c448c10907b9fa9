import Foundation

/// Maximum-likelihood fitting shared by the customer-value models: positive parameters are
/// searched as logarithms inside ln 1e-10 … ln 1e10 (`BoundedMaximizer`), and the curvature at
/// the optimum says which parameters the data cannot pin down.
public struct LikelihoodFit: Equatable, Sendable {
    public var parameters: [Double]
    /// Summed over the customers fitted (not the mean the search maximises).
    public var logLikelihood: Double
    public var customers: Int
    public var iterations: Int
    public var converged: Bool
    /// Largest gradient component of the mean log-likelihood in log-parameters, at the end.
    public var gradient: Double
    /// Parameters the data cannot identify: on a bound of the search, or along a direction in
    /// which the likelihood is flat. Each is a sentence for the run's warnings.
    public var unidentified: [String]

    static let logBound = log(1e10)

    /// - Parameters:
    ///   - names: for the warnings.
    ///   - start: natural (positive) parameters to start from.
    ///   - customers: how many customers the mean is over.
    ///   - meanLogLikelihood: mean log-likelihood and its gradient in the natural parameters.
    static func maximize(names: [String], start: [Double], customers: Int,
                         _ meanLogLikelihood: ([Double]) -> (value: Double, gradient: [Double])) -> LikelihoodFit {
        let n = start.count
        func inLogs(_ theta: [Double]) -> (value: Double, gradient: [Double]) {
            let natural = theta.map { exp($0) }
            let (value, gradient) = meanLogLikelihood(natural)
            return (value, zip(gradient, natural).map { $0 * $1 })
        }
        let maximizer = BoundedMaximizer(lower: [Double](repeating: -logBound, count: n), upper: [Double](repeating: logBound, count: n))
        let result = maximizer.maximize(from: start.map { log($0) }, inLogs)
        var unidentified = result.atBound.map { "\(names[$0]) ran to the bound of the search (\(exp(result.point[$0])))" }
        if unidentified.isEmpty {
            for flat in flatDirections(at: result.point, inLogs) {
                let involved = flat.indices.filter { abs(flat[$0]) >= 0.3 }.map { names[$0] }
                unidentified.append("the likelihood is flat along a combination of \(involved.joined(separator: ", "))")
            }
        }
        return LikelihoodFit(parameters: result.point.map { exp($0) }, logLikelihood: result.value * Double(customers),
                             customers: customers, iterations: result.iterations, converged: result.converged,
                             gradient: result.projectedGradient, unidentified: unidentified)
    }

    /// The eigenvectors of the negated Hessian (central differences of the gradient, step 1e-4,
    /// relative error about 1e-8) whose curvature is under 1e-6 of the largest: the directions
    /// the data hardly tells apart.
    private static func flatDirections(at point: [Double], _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> [[Double]] {
        let n = point.count
        let h = 1e-4
        var curvature = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for k in 0..<n {
            var up = point, down = point
            up[k] += h
            down[k] -= h
            let (gUp, gDown) = (objective(up).gradient, objective(down).gradient)
            for j in 0..<n { curvature[j][k] = -(gUp[j] - gDown[j]) / (2 * h) }
        }
        for j in 0..<n {
            for k in (j + 1)..<n {
                let mean = (curvature[j][k] + curvature[k][j]) / 2
                curvature[j][k] = mean
                curvature[k][j] = mean
            }
        }
        let (values, vectors) = SymmetricEigen.decompose(curvature)
        guard let largest = values.max() else { return [] }
        return values.indices.filter { largest <= 0 || values[$0] <= 1e-6 * largest }.sorted { values[$0] < values[$1] }
            .map { index in vectors.map { $0[index] } }
    }
}

/// Sums a few figures (a log-likelihood and its gradient) over many rows: in 16 chunks on all
/// cores above 50,000 rows, added in chunk order, so the result never depends on the threads.
enum ChunkedSum {
    /// - Parameter body: adds rows `range`'s contributions into `sums` (`components` values).
    static func sum(rows: Int, components: Int, _ body: (Range<Int>, inout [Double]) -> Void) -> [Double] {
        let chunks = rows > 50_000 ? 16 : 1
        let chunkSize = (rows + chunks - 1) / chunks
        var partial = [[Double]](repeating: [Double](repeating: 0, count: components), count: chunks)
        partial.withUnsafeMutableBufferPointer { partial in
            let partial = partial
            func work(_ part: Int) {
                var sums = [Double](repeating: 0, count: components)
                body((part * chunkSize)..<min(rows, (part + 1) * chunkSize), &sums)
                partial[part] = sums
            }
            if chunks > 1 {
                DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
            } else {
                work(0)
            }
        }
        var totals = [Double](repeating: 0, count: components)
        for sums in partial {
            for j in 0..<components { totals[j] += sums[j] }
        }
        return totals
    }
}

/// Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations.
enum SymmetricEigen {
    /// - Returns: the eigenvalues, and the eigenvectors as the columns of a matrix.
    static func decompose(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let n = matrix.count
        var a = matrix
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var offDiagonal = 0.0
            for p in 0..<n { for q in (p + 1)..<n { offDiagonal += a[p][q] * a[p][q] } }
            if offDiagonal < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let (akp, akq) = (a[k][p], a[k][q])
                        a[k][p] = c * akp - s * akq
                        a[k][q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let (apk, aqk) = (a[p][k], a[q][k])
                        a[p][k] = c * apk - s * aqk
                        a[q][k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let (vkp, vkq) = (v[k][p], v[k][q])
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0][$0] }, v)
    }
}
