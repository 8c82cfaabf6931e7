import MimirCore

/// A trained model with everything needed to use it and to judge it: the artifact. Written as
/// `model.json` in `models/<model_id>/<version>/` (format in MODEL_FORMAT.md).
public struct Model: Sendable {
    public static let format = "mimir-ml-model"
    public static let formatVersion = 1
    public static let libraryVersion = "0.1.0"

    public let modelID: String
    public let task: MLTask
    public let algorithm: Algorithm
    /// nil for clustering.
    public let target: String?
    /// Class labels in the order of probability columns; empty unless classifying.
    public let classes: [String]
    public let preprocessor: Preprocessor
    /// All hyperparameters, defaults included.
    public let hyperparameters: JSONValue
    /// Seed, split settings, row counts and the data fingerprint.
    public let training: JSONValue
    /// `training`, `validation` and (with k-fold) `cross_validation` metrics.
    public let metrics: JSONValue
    public let createdAt: String
    let estimator: Estimator
    /// The store version this model was saved as or loaded from; nil before saving.
    public internal(set) var version: Int?

    public var seed: Int { Int(training["seed"]?.int64Value ?? 0) }
    public var dataFingerprint: String { training["data_fingerprint"]?.stringValue ?? "" }

    init(
        modelID: String, task: MLTask, algorithm: Algorithm, target: String?, classes: [String],
        preprocessor: Preprocessor, hyperparameters: JSONValue, training: JSONValue, metrics: JSONValue,
        createdAt: String, estimator: Estimator
    ) {
        self.modelID = modelID
        self.task = task
        self.algorithm = algorithm
        self.target = target
        self.classes = classes
        self.preprocessor = preprocessor
        self.hyperparameters = hyperparameters
        self.training = training
        self.metrics = metrics
        self.createdAt = createdAt
        self.estimator = estimator
    }

    /// The feature schema inference checks input against.
    public var featureSchema: JSONValue {
        .array(
            preprocessor.features.map { feature in
                var entry: [String: JSONValue] = [
                    "name": .string(feature.name), "kind": .string(feature.kind.rawValue),
                ]
                if feature.kind == .categorical { entry["categories"] = .array(feature.categories.map { .string($0) }) }
                return .object(entry)
            })
    }

    public func json() -> JSONValue {
        [
            "format": .string(Self.format),
            "format_version": .integer(Int64(Self.formatVersion)),
            "library_version": .string(Self.libraryVersion),
            "model_id": .string(modelID),
            "created_at": .string(createdAt),
            "task": .string(task.rawValue),
            "algorithm": .string(algorithm.rawValue),
            "hyperparameters": hyperparameters,
            "target": target.map { .string($0) } ?? .null,
            "classes": .array(classes.map { .string($0) }),
            "feature_schema": featureSchema,
            "preprocessing": preprocessor.json(),
            "training": training,
            "metrics": metrics,
            "parameters": estimator.json(),
        ]
    }

    /// Compact JSON: artifacts of large forests run to tens of megabytes, and indentation would
    /// add a third again.
    public func artifactText() -> String { json().jsonText() }

    public init(json: JSONValue) throws(MLError) {
        guard json["format"]?.stringValue == Self.format else {
            throw .corruptArtifact("not a \(Self.format) artifact")
        }
        guard let formatVersion = json["format_version"]?.int64Value, formatVersion <= Self.formatVersion else {
            throw .corruptArtifact(
                "format_version \(json["format_version"]?.jsonText() ?? "null") is newer than this library reads (\(Self.formatVersion))"
            )
        }
        guard let modelID = json["model_id"]?.stringValue,
            let task = json["task"]?.stringValue.flatMap(MLTask.init(rawValue:)),
            let algorithm = json["algorithm"]?.stringValue.flatMap(Algorithm.init(rawValue:)),
            let preprocessing = json["preprocessing"], let parameters = json["parameters"]
        else { throw .corruptArtifact("model_id, task, algorithm, preprocessing or parameters is missing") }
        let classes = json["classes"].flatMap(JSONDecoding.strings) ?? []
        if task == .classification, classes.count < 2 { throw .corruptArtifact("a classifier needs its class list") }
        let preprocessor = try Preprocessor(json: preprocessing)
        let outputs = task == .classification ? classes.count : 1
        let estimator = try Estimator(
            json: parameters, algorithm: algorithm, outputs: outputs, width: preprocessor.encodedWidth)
        self.init(
            modelID: modelID, task: task, algorithm: algorithm, target: json["target"]?.stringValue, classes: classes,
            preprocessor: preprocessor, hyperparameters: json["hyperparameters"] ?? [:],
            training: json["training"] ?? [:], metrics: json["metrics"] ?? [:],
            createdAt: json["created_at"]?.stringValue ?? "", estimator: estimator)
    }
}
