import MimirCore

/// Least squares with an optional ridge penalty, solved in closed form through the normal
/// equations. The features arrive standardized, so the Gram matrix is well conditioned and
/// Cholesky is as accurate as QR at a fraction of the cost; the intercept is handled by centring
/// and is not penalised, as in scikit-learn's `LinearRegression` and `Ridge`.
struct LinearRegression: Sendable, Equatable {
    var coefficients: [Double]
    var intercept: Double

    static func fit(x: Matrix, y: [Double], alpha: Double, control: TrainingControl) throws(MLError) -> LinearRegression
    {
        let n = x.rows
        let p = x.columns
        var means = [Double](repeating: 0, count: p)
        for row in 0..<n {
            for column in 0..<p { means[column] += x.values[row * p + column] }
        }
        for column in 0..<p { means[column] /= Double(n) }
        let targetMean = y.reduce(0, +) / Double(n)

        var gram = [Double](repeating: 0, count: p * p)
        var moment = [Double](repeating: 0, count: p)
        var centred = [Double](repeating: 0, count: p)
        for row in 0..<n {
            for column in 0..<p { centred[column] = x.values[row * p + column] - means[column] }
            let response = y[row] - targetMean
            for i in 0..<p {
                let value = centred[i]
                moment[i] += value * response
                for j in i..<p { gram[i * p + j] += value * centred[j] }
            }
            if row % 65_536 == 65_535 { try control.checkCancelled() }
        }
        for i in 0..<p {
            for j in 0..<i { gram[i * p + j] = gram[j * p + i] }
            gram[i * p + i] += alpha
        }
        let coefficients = p == 0 ? [] : LinearAlgebra.solvePositiveDefinite(gram, moment, size: p)
        var intercept = targetMean
        for column in 0..<p { intercept -= means[column] * coefficients[column] }
        try control.step(1, "solved the normal equations")
        return LinearRegression(coefficients: coefficients, intercept: intercept)
    }

    func predict(_ x: Matrix) -> [Double] {
        let p = x.columns
        return (0..<x.rows).map { row in
            var sum = intercept
            for column in 0..<p { sum += x.values[row * p + column] * coefficients[column] }
            return sum
        }
    }

    func json() -> JSONValue {
        ["coefficients": .array(coefficients.map { .number($0) }), "intercept": .number(intercept)]
    }

    init(coefficients: [Double], intercept: Double) {
        self.coefficients = coefficients
        self.intercept = intercept
    }

    init(json: JSONValue, width: Int) throws(MLError) {
        guard let coefficients = json["coefficients"].flatMap(JSONDecoding.doubles), coefficients.count == width,
            let intercept = json["intercept"]?.doubleValue
        else { throw .corruptArtifact("linear regression parameters do not match the feature schema") }
        self.init(coefficients: coefficients, intercept: intercept)
    }
}
