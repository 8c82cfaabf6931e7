/// Limited-memory BFGS with a backtracking (Armijo) line search, for the smooth convex objectives
/// of the linear classifiers. Ten correction pairs, as in SciPy's L-BFGS-B that scikit-learn uses.
struct LBFGS {
    struct Outcome {
        var point: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    var memory = 10
    var maxIterations: Int
    /// Stop once the largest gradient component is at most this.
    var gradientTolerance: Double

    /// `evaluate` returns the objective and writes its gradient; `step` is called after every
    /// iteration with its number, so callers can report progress and honour cancellation.
    func minimize(
        from start: [Double], evaluate: ([Double], inout [Double]) -> Double,
        step: (Int, Double) throws(MLError) -> Void
    ) throws(MLError) -> Outcome {
        let n = start.count
        var point = start
        var gradient = [Double](repeating: 0, count: n)
        var value = evaluate(point, &gradient)
        var steps: [[Double]] = []
        var changes: [[Double]] = []
        var curvatures: [Double] = []
        var candidate = point
        var candidateGradient = gradient
        var iteration = 0
        while iteration < maxIterations {
            if maxMagnitude(gradient) <= gradientTolerance {
                return Outcome(point: point, value: value, iterations: iteration, converged: true)
            }
            var direction = twoLoop(gradient, steps: steps, changes: changes, curvatures: curvatures)
            var slope = dot(direction, gradient)
            if !(slope < 0) {
                steps.removeAll()
                changes.removeAll()
                curvatures.removeAll()
                direction = gradient.map { -$0 }
                slope = dot(direction, gradient)
            }
            var length = steps.isEmpty ? min(1, 1 / max(norm(gradient), 1e-300)) : 1
            var accepted = false
            var candidateValue = value
            for _ in 0..<40 {
                for i in 0..<n { candidate[i] = point[i] + length * direction[i] }
                candidateValue = evaluate(candidate, &candidateGradient)
                if candidateValue <= value + 1e-4 * length * slope {
                    accepted = true
                    break
                }
                length *= 0.5
            }
            iteration += 1
            guard accepted else { return Outcome(point: point, value: value, iterations: iteration, converged: false) }
            var move = [Double](repeating: 0, count: n)
            var change = [Double](repeating: 0, count: n)
            for i in 0..<n {
                move[i] = candidate[i] - point[i]
                change[i] = candidateGradient[i] - gradient[i]
            }
            let curvature = dot(move, change)
            if curvature > 1e-12 * dot(change, change) {
                if steps.count == memory {
                    steps.removeFirst()
                    changes.removeFirst()
                    curvatures.removeFirst()
                }
                steps.append(move)
                changes.append(change)
                curvatures.append(curvature)
            }
            let previous = value
            swap(&point, &candidate)
            swap(&gradient, &candidateGradient)
            value = candidateValue
            try step(iteration, value)
            // SciPy's relative-reduction test (ftol = 64 machine epsilons): nothing left to gain.
            if previous - value <= 64 * Double.ulpOfOne * max(abs(previous), abs(value), 1) {
                return Outcome(point: point, value: value, iterations: iteration, converged: true)
            }
        }
        let done = maxMagnitude(gradient) <= gradientTolerance
        return Outcome(point: point, value: value, iterations: iteration, converged: done)
    }

    private func twoLoop(_ gradient: [Double], steps: [[Double]], changes: [[Double]], curvatures: [Double]) -> [Double]
    {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for k in stride(from: steps.count - 1, through: 0, by: -1) {
            let alpha = dot(steps[k], q) / curvatures[k]
            alphas[k] = alpha
            for i in q.indices { q[i] -= alpha * changes[k][i] }
        }
        if let last = changes.last, let curvature = curvatures.last {
            let scale = curvature / dot(last, last)
            for i in q.indices { q[i] *= scale }
        }
        for k in 0..<steps.count {
            let beta = dot(changes[k], q) / curvatures[k]
            for i in q.indices { q[i] += (alphas[k] - beta) * steps[k][i] }
        }
        return q.map { -$0 }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    private func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    private func maxMagnitude(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
}
