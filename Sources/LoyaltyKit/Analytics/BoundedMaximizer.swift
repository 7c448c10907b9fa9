import Foundation

/// Maximises a smooth function of a few parameters inside a box: quasi-Newton (BFGS) steps
/// projected onto the box, with a backtracking line search. The customer-value models use it on
/// the logarithms of their parameters, so every parameter stays positive and the box keeps each
/// within 1e-10 … 1e10.
///
/// Converged means the projected gradient (components pushing out of the box at a bound count as
/// zero) is below `gradientTolerance` in every coordinate, or below `precisionTolerance` where not
/// even a step along the gradient raises the value: there the rise a step could bring is below
/// the resolution of binary64. Deterministic: no randomness, and the same evaluations in the same
/// order for the same input.
struct BoundedMaximizer {
    var lower: [Double]
    var upper: [Double]
    var maxIterations = 1_000
    var gradientTolerance = 1e-9
    var precisionTolerance = 1e-6

    struct Result: Equatable {
        var point: [Double]
        var value: Double
        var gradient: [Double]
        var iterations: Int
        var evaluations: Int
        var converged: Bool
        /// Coordinates that ended on a bound of the box.
        var atBound: [Int]
        /// The largest projected gradient component at the end.
        var projectedGradient: Double
    }

    /// - Parameter objective: the value and gradient at a point; non-finite values count as worse
    ///   than any finite one (the line search steps back).
    func maximize(from start: [Double], _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> Result {
        let n = start.count
        precondition(lower.count == n && upper.count == n)
        var point = project(start)
        var evaluations = 1
        var (value, gradient) = objective(point)
        precondition(value.isFinite, "the starting point must have a finite objective")
        var inverseHessian = identity(n)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            if projectedGradient(point, gradient) <= gradientTolerance {
                converged = true
                break
            }
            iterations += 1
            var direction = multiply(inverseHessian, gradient)
            if dot(direction, gradient) <= 0 {
                inverseHessian = identity(n)
                direction = gradient
            }
            // Coordinates held at a bound by a gradient pointing out of the box stay there.
            for i in 0..<n where (point[i] <= lower[i] && direction[i] < 0) || (point[i] >= upper[i] && direction[i] > 0) {
                direction[i] = 0
            }
            var step = 1.0
            var accepted: (point: [Double], value: Double, gradient: [Double])?
            for _ in 0..<80 {
                let candidate = project(zip(point, direction).map { $0 + step * $1 })
                // Steps too small to move the point in binary64 cannot do better.
                if candidate == point { break }
                let rise = zip(candidate, point).enumerated().reduce(0.0) { $0 + gradient[$1.offset] * ($1.element.0 - $1.element.1) }
                let evaluated = objective(candidate)
                evaluations += 1
                // Strictly higher: equal values would let the search crawl without progress.
                if evaluated.value.isFinite && evaluated.value >= value + 1e-4 * rise && evaluated.value > value {
                    accepted = (candidate, evaluated.value, evaluated.gradient)
                    break
                }
                step /= 2
            }
            guard let next = accepted else {
                // No step uphill even along the gradient: the point is as good as floating point
                // can tell. Retry once from a fresh Hessian before giving up.
                if inverseHessian == identity(n) {
                    converged = projectedGradient(point, gradient) <= precisionTolerance
                    break
                }
                inverseHessian = identity(n)
                continue
            }
            let s = zip(next.point, point).map { $0 - $1 }
            // BFGS on the negated function: y is the change of its gradient.
            let y = zip(gradient, next.gradient).map { $0 - $1 }
            let curvature = dot(s, y)
            if curvature > 1e-12 * sqrt(dot(s, s) * dot(y, y)) {
                inverseHessian = bfgsUpdate(inverseHessian, s: s, y: y, curvature: curvature)
            }
            (point, value, gradient) = next
        }
        let finalGradient = projectedGradient(point, gradient)
        if finalGradient <= gradientTolerance { converged = true }
        let atBound = (0..<n).filter { point[$0] <= lower[$0] || point[$0] >= upper[$0] }
        return Result(point: point, value: value, gradient: gradient, iterations: iterations, evaluations: evaluations,
                      converged: converged, atBound: atBound, projectedGradient: finalGradient)
    }

    private func project(_ point: [Double]) -> [Double] {
        point.indices.map { min(max(point[$0], lower[$0]), upper[$0]) }
    }

    private func projectedGradient(_ point: [Double], _ gradient: [Double]) -> Double {
        var largest = 0.0
        for i in point.indices {
            let g = gradient[i]
            if (point[i] <= lower[i] && g < 0) || (point[i] >= upper[i] && g > 0) { continue }
            largest = max(largest, abs(g))
        }
        return largest
    }

    private func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1 : 0 } }
    }

    private func multiply(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
        matrix.map { dot($0, vector) }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / (yᵀ s).
    private func bfgsUpdate(_ h: [[Double]], s: [Double], y: [Double], curvature: Double) -> [[Double]] {
        let n = s.count
        let rho = 1 / curvature
        let hy = multiply(h, y)
        let yhy = dot(y, hy)
        var next = h
        for i in 0..<n {
            for j in 0..<n {
                next[i][j] += (1 + rho * yhy) * rho * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j])
            }
        }
        return next
    }
}
