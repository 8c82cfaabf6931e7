import MimirCore

/// Turns table rows into the numeric matrix the algorithms consume: imputation, optional
/// standardization of numeric columns, one-hot encoding of categorical ones. Fitted on the
/// training rows only, so validation metrics are not flattered by statistics of the rows they
/// judge; stored in the artifact, so inference repeats the exact same arithmetic.
public struct Preprocessor: Sendable, Equatable {
    public let features: [FeatureColumn]
    public let missingValues: MissingValuePolicy
    /// Whether numeric columns are centred and scaled (linear models and k-means need it; trees
    /// split on thresholds and are indifferent to scale). One-hot columns are never scaled.
    public let standardized: Bool

    public var encodedWidth: Int { features.reduce(0) { $0 + $1.width } }
    public var encodedNames: [String] { features.flatMap(\.encodedNames) }

    init(features: [FeatureColumn], missingValues: MissingValuePolicy, standardized: Bool) {
        self.features = features
        self.missingValues = missingValues
        self.standardized = standardized
    }

    /// Learns fills, scales and categories from `rows` of `table`. Row numbers in errors are those
    /// of the whole table.
    static func fit(
        table: Table, features: [(name: String, kind: ColumnKind)], rows: [Int],
        missingValues: MissingValuePolicy, standardize: Bool
    ) throws(MLError) -> Preprocessor {
        var fitted: [FeatureColumn] = []
        for feature in features {
            guard let cells = table.cells(of: feature.name) else {
                throw .invalidData("feature column \(MLError.show(feature.name)) is missing")
            }
            switch feature.kind {
            case .numeric:
                fitted.append(
                    try fitNumeric(
                        name: feature.name, cells: cells, rows: rows, policy: missingValues, standardize: standardize))
            case .categorical:
                var seen = Set<String>()
                for row in rows {
                    if let key = Cell(cells[row]).categoryKey { seen.insert(key) }
                }
                fitted.append(
                    FeatureColumn(
                        name: feature.name, kind: .categorical, fill: 0, center: 0, scale: 1,
                        categories: seen.sorted()))
            }
        }
        return Preprocessor(features: fitted, missingValues: missingValues, standardized: standardize)
    }

    private static func fitNumeric(
        name: String, cells: [JSONValue], rows: [Int], policy: MissingValuePolicy, standardize: Bool
    ) throws(MLError) -> FeatureColumn {
        var present: [Double] = []
        present.reserveCapacity(rows.count)
        for row in rows {
            if case .number(let value) = Cell(cells[row]) { present.append(value) }
        }
        guard !present.isEmpty else {
            throw .invalidData("column \(MLError.show(name)) has no values in the training rows")
        }
        let mean = present.reduce(0, +) / Double(present.count)
        let fill = policy == .median ? median(of: present) : mean
        guard standardize else {
            return FeatureColumn(name: name, kind: .numeric, fill: fill, center: 0, scale: 1, categories: [])
        }
        // Statistics of the imputed column, as a scikit-learn imputer-then-scaler pipeline computes them.
        let missing = Double(rows.count - present.count)
        let count = Double(rows.count)
        let center = (present.reduce(0, +) + fill * missing) / count
        var squares = missing * (fill - center) * (fill - center)
        for value in present { squares += (value - center) * (value - center) }
        let deviation = (squares / count).squareRoot()
        // A constant column keeps scale 1 (as scikit-learn does) rather than dividing by zero.
        let scale = deviation > 1e-12 * max(1, abs(center)) ? deviation : 1
        return FeatureColumn(name: name, kind: .numeric, fill: fill, center: center, scale: scale, categories: [])
    }

    private static func median(of values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Encodes `rows` of `table` (all rows when nil). Checks the table against the feature schema
    /// first and names every missing column at once, then the first cell that does not fit.
    /// Unknown categories and missing categorical cells encode as all zeros.
    public func transform(_ table: Table, rows: [Int]? = nil) throws(MLError) -> Matrix {
        let missingColumns = features.filter { table.columnIndex($0.name) == nil }.map { MLError.show($0.name) }
        guard missingColumns.isEmpty else {
            let noun = missingColumns.count == 1 ? "column" : "columns"
            throw .schemaMismatch("missing feature \(noun) \(missingColumns.joined(separator: ", "))")
        }
        let selected = rows ?? Array(0..<table.rowCount)
        var matrix = Matrix(rows: selected.count, columns: encodedWidth)
        var offset = 0
        for feature in features {
            guard let cells = table.cells(of: feature.name) else { continue }
            try encode(feature, cells: cells, rows: selected, offset: offset, into: &matrix)
            offset += feature.width
        }
        return matrix
    }

    private func encode(
        _ feature: FeatureColumn, cells: [JSONValue], rows: [Int], offset: Int, into matrix: inout Matrix
    ) throws(MLError) {
        let width = matrix.columns
        switch feature.kind {
        case .numeric:
            for (position, row) in rows.enumerated() {
                let raw: Double
                switch Cell(cells[row]) {
                case .number(let value): raw = value
                case .missing:
                    if missingValues == .error { throw missingError(feature.name, row: row) }
                    raw = feature.fill
                case .text:
                    throw .schemaMismatch(
                        "column \(MLError.show(feature.name)), row \(row + 1): \(Cell.display(cells[row]))"
                            + " is not a number (the model was trained with this column as numeric)")
                }
                matrix.values[position * width + offset] = (raw - feature.center) / feature.scale
            }
        case .categorical:
            var lookup: [String: Int] = [:]
            for (index, category) in feature.categories.enumerated() { lookup[category] = index }
            for (position, row) in rows.enumerated() {
                guard let key = Cell(cells[row]).categoryKey else {
                    if missingValues == .error { throw missingError(feature.name, row: row) }
                    continue
                }
                if let index = lookup[key] { matrix.values[position * width + offset + index] = 1 }
            }
        }
    }

    private func missingError(_ column: String, row: Int) -> MLError {
        .invalidData(
            "column \(MLError.show(column)), row \(row + 1): the value is missing"
                + " and the missing-value policy is \"error\"")
    }

    func json() -> JSONValue {
        [
            "missing_values": .string(missingValues.rawValue),
            "standardized": .bool(standardized),
            "features": .array(features.map { $0.json() }),
            "encoded_columns": .array(encodedNames.map { .string($0) }),
        ]
    }

    init(json: JSONValue) throws(MLError) {
        guard let policy = json["missing_values"]?.stringValue.flatMap(MissingValuePolicy.init(rawValue:)),
            let standardized = json["standardized"]?.boolValue, let list = json["features"]?.arrayValue
        else { throw .corruptArtifact("the preprocessing section is incomplete") }
        var features: [FeatureColumn] = []
        for item in list { features.append(try FeatureColumn(json: item)) }
        self.init(features: features, missingValues: policy, standardized: standardized)
    }
}
