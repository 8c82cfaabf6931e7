import MimirCore

/// RMSE, MAE and R², as scikit-learn defines them (R² is 1 − SS_res / SS_tot; with a constant
/// target it is 1 for a perfect fit and 0 otherwise).
public struct RegressionMetrics: Sendable, Equatable {
    public let rmse: Double
    public let mae: Double
    public let r2: Double
    public let count: Int

    public init(actual: [Double], predicted: [Double]) {
        precondition(actual.count == predicted.count && !actual.isEmpty, "metrics need matching, non-empty inputs")
        let n = Double(actual.count)
        var squares = 0.0
        var absolutes = 0.0
        for (truth, guess) in zip(actual, predicted) {
            squares += (truth - guess) * (truth - guess)
            absolutes += abs(truth - guess)
        }
        let mean = actual.reduce(0, +) / n
        var total = 0.0
        for truth in actual { total += (truth - mean) * (truth - mean) }
        rmse = (squares / n).squareRoot()
        mae = absolutes / n
        r2 = total > 0 ? 1 - squares / total : (squares == 0 ? 1 : 0)
        count = actual.count
    }

    public func json() -> JSONValue {
        ["rmse": .number(rmse), "mae": .number(mae), "r2": .number(r2), "count": .integer(Int64(count))]
    }
}
