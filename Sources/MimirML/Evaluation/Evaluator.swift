import MimirCore

/// Computes the task's metrics for encoded rows. One function for training-time validation and for
/// evaluating a loaded model, so the two agree to the last bit.
enum Evaluator {
    static func metrics(
        _ estimator: Estimator, x: Matrix, target: Estimator.Target, classes: [String], seed: Int
    ) -> JSONValue {
        switch (estimator, target) {
        case (.kmeans(let model), _):
            let (labels, distances) = model.assign(x)
            return ClusteringMetrics(
                x: x, labels: labels, distances: distances, clusters: model.clusterCount, seed: seed
            )
            .json()
        case (_, .values(let y)):
            return RegressionMetrics(actual: y, predicted: estimator.values(x)).json()
        case (_, .classes(let labels, _)):
            return ClassificationMetrics(actual: labels, probabilities: estimator.probabilities(x), classes: classes)
                .json()
        default:
            return .null
        }
    }

    /// Mean of each numeric metric over folds (nested objects such as per-class figures are left to
    /// the per-fold entries).
    static func mean(of folds: [JSONValue]) -> JSONValue {
        guard let first = folds.first?.objectValue else { return .null }
        var result: [String: JSONValue] = [:]
        for key in first.keys {
            let numbers = folds.compactMap { $0[key]?.doubleValue }
            if numbers.count == folds.count, case .number = first[key] {
                result[key] = .number(numbers.reduce(0, +) / Double(numbers.count))
            }
        }
        return .object(result)
    }
}
