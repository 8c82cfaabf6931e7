/// The little dense linear algebra the closed-form models need, kept local rather than pulling in
/// a numerics package: matrices here are feature-by-feature (tens to hundreds wide).
enum LinearAlgebra {
    /// Solves `a x = b` for symmetric positive definite `a` (row-major, n × n) by Cholesky. When `a`
    /// is singular (collinear features, such as every one-hot column of a category plus the
    /// intercept), a ridge of 1e-10 × the largest diagonal entry is added and grown until the
    /// factorization succeeds: this picks the near-minimum-norm solution a least-squares solver
    /// would, at the cost of a bias far below the precision of the data.
    static func solvePositiveDefinite(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
        let largest = (0..<n).map { a[$0 * n + $0] }.max() ?? 1
        var jitter = 0.0
        for _ in 0..<12 {
            var shifted = a
            if jitter > 0 { for i in 0..<n { shifted[i * n + i] += jitter } }
            if let factor = cholesky(shifted, size: n) { return solve(factor: factor, b, size: n) }
            jitter = jitter == 0 ? 1e-10 * max(largest, 1e-300) : jitter * 100
        }
        return Array(repeating: 0, count: n)
    }

    /// Lower-triangular L with L Lᵀ = a, or nil when a pivot is not clearly positive.
    private static func cholesky(_ a: [Double], size n: Int) -> [Double]? {
        var factor = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var diagonal = a[j * n + j]
            for k in 0..<j { diagonal -= factor[j * n + k] * factor[j * n + k] }
            guard diagonal > 1e-12 * max(abs(a[j * n + j]), 1e-300) else { return nil }
            let pivot = diagonal.squareRoot()
            factor[j * n + j] = pivot
            for i in (j + 1)..<max(n, j + 1) {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= factor[i * n + k] * factor[j * n + k] }
                factor[i * n + j] = sum / pivot
            }
        }
        return factor
    }

    private static func solve(factor: [Double], _ b: [Double], size n: Int) -> [Double] {
        var y = b
        for i in 0..<n {
            var sum = y[i]
            for k in 0..<i { sum -= factor[i * n + k] * y[k] }
            y[i] = sum / factor[i * n + i]
        }
        var x = y
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[i]
            for k in (i + 1)..<max(n, i + 1) { sum -= factor[k * n + i] * x[k] }
            x[i] = sum / factor[i * n + i]
        }
        return x
    }
}
