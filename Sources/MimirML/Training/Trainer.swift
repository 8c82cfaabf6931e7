import Foundation
import MimirCore

/// What training produced: the model (not yet saved) and the rows it was trained and judged on.
public struct TrainingOutcome: Sendable {
    public let model: Model
    public let split: DataSplit
    /// The cross-validation folds, empty without `k_folds`.
    public let folds: [DataSplit]
    public let seconds: Double

    /// The job result: where the artifact went and how good the model is.
    public func resultJSON(savedAs saved: Model? = nil, store: ModelStore? = nil) -> JSONValue {
        var result: [String: JSONValue] = [
            "model_id": .string(model.modelID), "task": .string(model.task.rawValue),
            "algorithm": .string(model.algorithm.rawValue), "metrics": model.metrics,
            "hyperparameters": model.hyperparameters, "training": model.training,
            "feature_schema": model.featureSchema, "training_seconds": .number(seconds),
        ]
        if !model.classes.isEmpty { result["classes"] = .array(model.classes.map { .string($0) }) }
        if let version = saved?.version {
            result["version"] = .integer(Int64(version))
            if let store {
                result["artifact_path"] = .string(
                    "models/\(model.modelID)/\(version)/model.json")
                result["artifact_location"] = .string(store.directory(modelID: model.modelID, version: version))
            }
        }
        result["fit"] = model.estimator.summary
        return .object(result)
    }
}

/// The training entry point: a request (`task_spec.parameters`) and a table in, a model out.
public enum Trainer {
    /// Trains and saves the next version of `modelID` in `store`; returns the job result JSON.
    public static func trainAndSave(
        parameters: JSONValue, table: Table, modelID: String, store: ModelStore,
        control: TrainingControl = TrainingControl()
    ) throws(MLError) -> JSONValue {
        try ModelStore.validate(modelID: modelID)
        let outcome = try train(parameters: parameters, table: table, modelID: modelID, control: control)
        try control.checkCancelled()
        let saved = try store.save(outcome.model)
        return outcome.resultJSON(savedAs: saved, store: store)
    }

    /// Trains without saving. `createdAt` overrides the timestamp (ISO 8601, UTC), which is the only
    /// part of an artifact that differs between two runs with the same seed and data. `split`
    /// replaces the seeded holdout (to compare learners, or seeds, on fixed rows).
    public static func train(
        parameters json: JSONValue, table: Table, modelID: String, control: TrainingControl = TrainingControl(),
        createdAt: String? = nil, split fixedSplit: DataSplit? = nil
    ) throws(MLError) -> TrainingOutcome {
        let started = Date()
        try ModelStore.validate(modelID: modelID)
        let parameters = try TrainingParameters(json: json)
        try control.step(0, "checking the data")
        let features = try selectFeatures(parameters, table: table)
        let rows = try eligibleRows(parameters, table: table, features: features)

        var classes: [String] = []
        var fullTarget: Estimator.Target = .none
        var strata: [Int]?
        if let target = parameters.target, parameters.task != .clustering {
            if parameters.task == .regression {
                fullTarget = .values(try TargetReader.values(table, column: target, rows: rows))
            } else {
                let labels = try TargetReader.labels(table, column: target, rows: rows)
                classes = TargetReader.orderedClasses(labels)
                guard classes.count >= 2 else {
                    throw .invalidData(
                        "only one class (\(classes.map(MLError.show).joined())) in the target column"
                            + " \(MLError.show(target)): classification needs at least two")
                }
                let indices = try TargetReader.classIndices(labels, classes: classes, column: target, rows: rows)
                fullTarget = .classes(indices, count: classes.count)
                strata = indices
            }
        }
        let minimum = max(4, parameters.kFolds ?? 0)
        guard rows.count >= minimum else {
            throw .invalidData(
                "too few rows: \(rows.count) usable (need at least \(minimum) to train and validate"
                    + (rows.count < table.rowCount
                        ? "; \(table.rowCount - rows.count) rows dropped for missing values" : "")
                    + ")")
        }

        let split =
            fixedSplit
            ?? Splitter.holdout(
                rows: rows, fraction: parameters.validationFraction, strata: strata, seed: parameters.seed)
        let usable = Set(rows)
        guard !split.training.isEmpty, !split.validation.isEmpty,
            (split.training + split.validation).allSatisfy({ usable.contains($0) })
        else { throw .invalidParameters("the given split refers to rows that are not usable for training") }
        let folds =
            parameters.kFolds.map { Splitter.folds(rows: rows, count: $0, strata: strata, seed: parameters.seed) } ?? []
        let fits = Double(folds.count + 1)
        let positions = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        func subset(_ target: Estimator.Target, _ chosen: [Int]) -> Estimator.Target {
            switch target {
            case .values(let values): .values(chosen.map { values[positions[$0] ?? 0] })
            case .classes(let labels, let count): .classes(chosen.map { labels[positions[$0] ?? 0] }, count: count)
            case .none: .none
            }
        }

        var foldMetrics: [JSONValue] = []
        for (index, fold) in folds.enumerated() {
            let fit = try fitOnce(
                parameters, table: table, features: features, split: fold,
                target: (subset(fullTarget, fold.training), subset(fullTarget, fold.validation)), classes: classes,
                control: control.slice(
                    from: Double(index) / fits, to: Double(index + 1) / fits,
                    label: "fold \(index + 1) of \(folds.count)"))
            foldMetrics.append(fit.validation)
        }
        let final = try fitOnce(
            parameters, table: table, features: features, split: split,
            target: (subset(fullTarget, split.training), subset(fullTarget, split.validation)), classes: classes,
            control: control.slice(from: Double(folds.count) / fits, to: 1, label: folds.isEmpty ? "" : "final model"))

        var metrics: [String: JSONValue] = ["training": final.training, "validation": final.validation]
        if !foldMetrics.isEmpty {
            metrics["cross_validation"] = ["folds": .array(foldMetrics), "mean": Evaluator.mean(of: foldMetrics)]
        }
        let training: JSONValue = [
            "seed": .integer(Int64(parameters.seed)),
            "validation_fraction": .number(parameters.validationFraction),
            "k_folds": parameters.kFolds.map { .integer(Int64($0)) } ?? .null,
            "stratified": .bool(strata != nil),
            "rows": .integer(Int64(table.rowCount)), "usable_rows": .integer(Int64(rows.count)),
            "training_rows": .integer(Int64(split.training.count)),
            "validation_rows": .integer(Int64(split.validation.count)),
            "data_fingerprint": .string(table.fingerprint),
            "columns": .array(table.columns.map { .string($0) }),
        ]
        let model = Model(
            modelID: modelID, task: parameters.task, algorithm: parameters.algorithm, target: parameters.target,
            classes: classes, preprocessor: final.preprocessor, hyperparameters: parameters.hyperparameters.json,
            training: training, metrics: .object(metrics), createdAt: createdAt ?? Self.timestamp(),
            estimator: final.estimator)
        try control.step(1, "trained \(parameters.algorithm.rawValue)")
        return TrainingOutcome(model: model, split: split, folds: folds, seconds: Date().timeIntervalSince(started))
    }

    private struct Fit {
        var preprocessor: Preprocessor
        var estimator: Estimator
        var training: JSONValue
        var validation: JSONValue
    }

    private static func fitOnce(
        _ parameters: TrainingParameters, table: Table, features: [(name: String, kind: ColumnKind)],
        split: DataSplit, target: (training: Estimator.Target, validation: Estimator.Target), classes: [String],
        control: TrainingControl
    ) throws(MLError) -> Fit {
        if case .kmeans(let clusters, _, _, _, _) = parameters.hyperparameters, split.training.count < clusters {
            throw .invalidData(
                "too few rows: \(split.training.count) training rows for n_clusters = \(clusters)"
                    + " (need at least one row per cluster)")
        }
        let preprocessor = try Preprocessor.fit(
            table: table, features: features, rows: split.training, missingValues: parameters.missingValues,
            standardize: parameters.algorithm.needsStandardization)
        let trainingX = try preprocessor.transform(table, rows: split.training)
        let validationX = try preprocessor.transform(table, rows: split.validation)
        let estimator = try Estimator.fit(
            parameters.hyperparameters, x: trainingX, target: target.training, seed: parameters.seed, control: control)
        return Fit(
            preprocessor: preprocessor, estimator: estimator,
            training: Evaluator.metrics(
                estimator, x: trainingX, target: target.training, classes: classes, seed: parameters.seed),
            validation: Evaluator.metrics(
                estimator, x: validationX, target: target.validation, classes: classes, seed: parameters.seed))
    }

    private static func selectFeatures(_ parameters: TrainingParameters, table: Table) throws(MLError) -> [(
        name: String, kind: ColumnKind
    )] {
        if let target = parameters.target, table.columnIndex(target) == nil {
            throw .invalidData(
                "target column \(MLError.show(target)) is missing (columns: \(table.columns.map(MLError.show).joined(separator: ", ")))"
            )
        }
        let names = parameters.features ?? table.columns.filter { $0 != parameters.target }
        let absent = names.filter { table.columnIndex($0) == nil }
        guard absent.isEmpty else {
            throw .invalidData(
                "feature column\(absent.count == 1 ? "" : "s") \(absent.map(MLError.show).joined(separator: ", "))"
                    + " \(absent.count == 1 ? "is" : "are") missing")
        }
        if let target = parameters.target, names.contains(target) {
            throw .invalidParameters("the target column \(MLError.show(target)) cannot also be a feature")
        }
        guard !names.isEmpty else { throw .invalidData("there are no feature columns besides the target") }
        for name in parameters.categoricalFeatures where !names.contains(name) {
            throw .invalidParameters("categorical_features lists \(MLError.show(name)), which is not a feature")
        }
        var result: [(name: String, kind: ColumnKind)] = []
        for name in names {
            let kind: ColumnKind =
                parameters.categoricalFeatures.contains(name)
                ? .categorical : try ColumnKind.detect(table.cells(of: name) ?? [], column: name)
            result.append((name, kind))
        }
        return result
    }

    /// Rows that take part: all of them, except under `drop_rows` those with a missing feature; under
    /// `error` a missing feature stops training here, naming the first one.
    private static func eligibleRows(
        _ parameters: TrainingParameters, table: Table, features: [(name: String, kind: ColumnKind)]
    ) throws(MLError) -> [Int] {
        guard parameters.missingValues == .dropRows || parameters.missingValues == .error else {
            return Array(0..<table.rowCount)
        }
        var keep = [Bool](repeating: true, count: table.rowCount)
        for feature in features {
            guard let cells = table.cells(of: feature.name) else { continue }
            for row in 0..<table.rowCount where Cell(cells[row]).isMissing {
                if parameters.missingValues == .error {
                    throw .invalidData(
                        "column \(MLError.show(feature.name)), row \(row + 1): the value is missing"
                            + " and the missing-value policy is \"error\"")
                }
                keep[row] = false
            }
        }
        return (0..<table.rowCount).filter { keep[$0] }
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
