import MimirCore

/// A model's output for every input row, in input order.
public struct Predictions: Sendable {
    public let task: MLTask
    /// Regression: predicted values.
    public let values: [Double]
    /// Classification: class probabilities (rows × classes) and the predicted class index.
    public let classes: [String]
    public let probabilities: Matrix
    public let classIndices: [Int]
    /// Clustering: nearest centroid and the squared distance to it.
    public let clusters: [Int]
    public let distances: [Double]

    public var count: Int {
        switch task {
        case .regression: values.count
        case .classification: classIndices.count
        case .clustering: clusters.count
        }
    }

    /// Predicted class labels (classification).
    public var labels: [String] { classIndices.map { classes[$0] } }

    /// Column names of the batch output, after the input's own columns: `prediction` (and one
    /// `probability_<class>` per class), or `cluster` and `distance`.
    public func outputColumns(includeProbabilities: Bool) -> [String] {
        switch task {
        case .regression: ["prediction"]
        case .classification: ["prediction"] + (includeProbabilities ? classes.map { "probability_\($0)" } : [])
        case .clustering: ["cluster", "distance"]
        }
    }

    /// The output cells of one row, matching `outputColumns`.
    public func outputCells(row: Int, includeProbabilities: Bool) -> [JSONValue] {
        switch task {
        case .regression:
            return [.number(values[row])]
        case .classification:
            var cells: [JSONValue] = [.string(classes[classIndices[row]])]
            if includeProbabilities {
                for k in 0..<classes.count { cells.append(.number(probabilities[row, k])) }
            }
            return cells
        case .clustering:
            return [.integer(Int64(clusters[row])), .number(distances[row])]
        }
    }

    /// One row's prediction as an object, for inline results: `{"prediction": …, "probabilities":
    /// {class: p}}` or `{"cluster": …, "distance": …}`.
    public func json(row: Int, includeProbabilities: Bool) -> JSONValue {
        switch task {
        case .regression:
            return ["prediction": .number(values[row])]
        case .classification:
            var object: [String: JSONValue] = ["prediction": .string(classes[classIndices[row]])]
            if includeProbabilities {
                var shares: [String: JSONValue] = [:]
                for (k, name) in classes.enumerated() { shares[name] = .number(probabilities[row, k]) }
                object["probabilities"] = .object(shares)
            }
            return .object(object)
        case .clustering:
            return ["cluster": .integer(Int64(clusters[row])), "distance": .number(distances[row])]
        }
    }

    /// The input table with the output columns appended, for batch output. An input column that
    /// already has an output column's name is replaced.
    public func appended(to input: Table, includeProbabilities: Bool) -> Table {
        let added = outputColumns(includeProbabilities: includeProbabilities)
        let kept = input.columns.enumerated().filter { !added.contains($0.element) }
        var storage = kept.map { input.storage[$0.offset] }
        var extra = Array(repeating: [JSONValue](), count: added.count)
        for row in 0..<count {
            for (index, cell) in outputCells(row: row, includeProbabilities: includeProbabilities).enumerated() {
                extra[index].append(cell)
            }
        }
        storage.append(contentsOf: extra)
        return Table(validatedColumns: kept.map(\.element) + added, storage: storage, rowCount: input.rowCount)
    }
}
