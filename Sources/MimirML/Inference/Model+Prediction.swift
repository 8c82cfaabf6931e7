import MimirCore

extension Model {
    /// Predicts every row of `table`. Columns are matched by name, in any order; extra columns
    /// (the target among them) are ignored. Fails naming missing columns, or the first cell of a
    /// numeric feature that is not a number.
    public func predict(_ table: Table) throws(MLError) -> Predictions {
        let x = try preprocessor.transform(table)
        switch task {
        case .regression:
            return Predictions(
                task: task, values: estimator.values(x), classes: [], probabilities: Matrix(rows: 0, columns: 0),
                classIndices: [], clusters: [], distances: [])
        case .classification:
            let probabilities = estimator.probabilities(x)
            return Predictions(
                task: task, values: [], classes: classes, probabilities: probabilities,
                classIndices: ClassificationMetrics.predictedClasses(probabilities), clusters: [], distances: [])
        case .clustering:
            guard case .kmeans(let model) = estimator else {
                throw .corruptArtifact("a clustering model without centroids")
            }
            let (labels, distances) = model.assign(x)
            return Predictions(
                task: task, values: [], classes: [], probabilities: Matrix(rows: 0, columns: 0), classIndices: [],
                clusters: labels, distances: distances)
        }
    }

    /// The metrics of this model on `table`, computed exactly as training computed its validation
    /// metrics: given the validation rows, it reproduces them bit for bit. Needs the target column
    /// unless the model clusters.
    public func evaluate(_ table: Table) throws(MLError) -> JSONValue {
        let x = try preprocessor.transform(table)
        let rows = Array(0..<table.rowCount)
        let target: Estimator.Target
        switch task {
        case .regression:
            target = .values(try TargetReader.values(table, column: targetColumn(), rows: rows))
        case .classification:
            let labels = try TargetReader.labels(table, column: targetColumn(), rows: rows)
            target = .classes(
                try TargetReader.classIndices(labels, classes: classes, column: targetColumn(), rows: rows),
                count: classes.count)
        case .clustering:
            target = .none
        }
        return Evaluator.metrics(estimator, x: x, target: target, classes: classes, seed: seed)
    }

    private func targetColumn() throws(MLError) -> String {
        guard let target else { throw .corruptArtifact("the model has no target column") }
        return target
    }
}
