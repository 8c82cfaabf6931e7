import Foundation
import MimirCore

/// L2-regularised logistic regression: one sigmoid for two classes, softmax over all classes
/// otherwise (scikit-learn's multinomial formulation, one weight vector per class). Minimises
/// mean log-loss + ‖W‖² / (2·C·n), scikit-learn's objective scaled by 1/n, so `C` means the same
/// in both; the intercepts are not penalised.
struct LogisticRegression: Sendable, Equatable {
    /// `weights[k * width + j]`: class k (or the single positive class when binary), feature j.
    var weights: [Double]
    var intercepts: [Double]
    var classCount: Int
    var width: Int
    var iterations = 0
    var converged = true

    private var vectors: Int { classCount == 2 ? 1 : classCount }

    static func fit(
        x: Matrix, labels: [Int], classCount: Int, c: Double, maxIterations: Int, tolerance: Double,
        control: TrainingControl
    ) throws(MLError) -> LogisticRegression {
        let n = x.rows
        let p = x.columns
        let vectors = classCount == 2 ? 1 : classCount
        let stride = p + 1
        let penalty = 1 / (c * Double(n))
        let objective = Objective(x: x, labels: labels, vectors: vectors, penalty: penalty)
        let optimizer = LBFGS(maxIterations: maxIterations, gradientTolerance: tolerance)
        let outcome = try optimizer.minimize(
            from: [Double](repeating: 0, count: vectors * stride),
            evaluate: { point, gradient in objective.evaluate(point, gradient: &gradient) },
            step: { iteration, value throws(MLError) in
                try control.step(
                    Double(iteration) / Double(maxIterations),
                    "iteration \(iteration) of at most \(maxIterations), objective \(value)")
            })
        var model = LogisticRegression(
            weights: [], intercepts: [], classCount: classCount, width: p, iterations: outcome.iterations,
            converged: outcome.converged)
        for k in 0..<vectors {
            model.weights.append(contentsOf: outcome.point[(k * stride)..<(k * stride + p)])
            model.intercepts.append(outcome.point[k * stride + p])
        }
        return model
    }

    /// Class probabilities, one row per sample, columns in class order.
    func predictProbabilities(_ x: Matrix) -> Matrix {
        var result = Matrix(rows: x.rows, columns: classCount)
        var scores = [Double](repeating: 0, count: vectors)
        for row in 0..<x.rows {
            for k in 0..<vectors {
                var sum = intercepts[k]
                for j in 0..<width { sum += weights[k * width + j] * x.values[row * width + j] }
                scores[k] = sum
            }
            if classCount == 2 {
                let positive = Self.sigmoid(scores[0])
                result[row, 0] = 1 - positive
                result[row, 1] = positive
            } else {
                let top = scores.max() ?? 0
                var total = 0.0
                for k in 0..<vectors {
                    scores[k] = exp(scores[k] - top)
                    total += scores[k]
                }
                for k in 0..<vectors { result[row, k] = scores[k] / total }
            }
        }
        return result
    }

    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    func json() -> JSONValue {
        [
            "weights": JSONDecoding.numbers(weights), "intercepts": JSONDecoding.numbers(intercepts),
            "iterations": .integer(Int64(iterations)), "converged": .bool(converged),
        ]
    }

    init(weights: [Double], intercepts: [Double], classCount: Int, width: Int, iterations: Int, converged: Bool) {
        self.weights = weights
        self.intercepts = intercepts
        self.classCount = classCount
        self.width = width
        self.iterations = iterations
        self.converged = converged
    }

    init(json: JSONValue, classCount: Int, width: Int) throws(MLError) {
        let vectors = classCount == 2 ? 1 : classCount
        guard let weights = json["weights"].flatMap(JSONDecoding.doubles), weights.count == vectors * width,
            let intercepts = json["intercepts"].flatMap(JSONDecoding.doubles), intercepts.count == vectors
        else { throw .corruptArtifact("logistic regression parameters do not match the feature schema") }
        self.init(
            weights: weights, intercepts: intercepts, classCount: classCount, width: width,
            iterations: Int(json["iterations"]?.int64Value ?? 0), converged: json["converged"]?.boolValue ?? true)
    }
}

/// Mean log-loss plus the L2 penalty, and its gradient, over parameters laid out as one block of
/// `width + 1` per weight vector (weights then intercept).
private struct Objective {
    let x: Matrix
    let labels: [Int]
    let vectors: Int
    let penalty: Double

    func evaluate(_ point: [Double], gradient: inout [Double]) -> Double {
        let n = x.rows
        let p = x.columns
        let stride = p + 1
        for i in gradient.indices { gradient[i] = 0 }
        var loss = 0.0
        var scores = [Double](repeating: 0, count: vectors)
        x.values.withUnsafeBufferPointer { values in
            point.withUnsafeBufferPointer { theta in
                gradient.withUnsafeMutableBufferPointer { grad in
                    for row in 0..<n {
                        let base = row * p
                        for k in 0..<vectors {
                            var sum = theta[k * stride + p]
                            for j in 0..<p { sum += theta[k * stride + j] * values[base + j] }
                            scores[k] = sum
                        }
                        let label = labels[row]
                        if vectors == 1 {
                            let z = scores[0]
                            let target = label == 1 ? 1.0 : 0.0
                            loss += max(z, 0) + log1p(exp(-abs(z))) - target * z
                            let residual = LogisticRegression.sigmoid(z) - target
                            for j in 0..<p { grad[j] += residual * values[base + j] }
                            grad[p] += residual
                        } else {
                            let top = scores.max() ?? 0
                            let labelScore = scores[label] - top
                            var total = 0.0
                            for k in 0..<vectors {
                                scores[k] = exp(scores[k] - top)
                                total += scores[k]
                            }
                            loss += log(total) - labelScore
                            for k in 0..<vectors {
                                let residual = scores[k] / total - (k == label ? 1 : 0)
                                for j in 0..<p { grad[k * stride + j] += residual * values[base + j] }
                                grad[k * stride + p] += residual
                            }
                        }
                    }
                }
            }
        }
        let scale = 1 / Double(n)
        var squares = 0.0
        for k in 0..<vectors {
            for j in 0..<p {
                let weight = point[k * stride + j]
                squares += weight * weight
                gradient[k * stride + j] = gradient[k * stride + j] * scale + penalty * weight
            }
            gradient[k * stride + p] *= scale
        }
        return loss * scale + 0.5 * penalty * squares
    }
}
