import MimirCore

/// A training request as the job gives it (`task_spec.parameters`), validated, with defaults.
public struct TrainingParameters: Sendable, Equatable {
    public let task: MLTask
    public let algorithm: Algorithm
    public let target: String?
    /// nil means every column except the target.
    public let features: [String]?
    /// Columns to treat as categories even where every value reads as a number (codes, zip codes).
    public let categoricalFeatures: [String]
    public let missingValues: MissingValuePolicy
    public let validationFraction: Double
    public let kFolds: Int?
    public let seed: Int
    let hyperparameters: Hyperparameters

    public init(json: JSONValue) throws(MLError) {
        var reader = try ParameterReader(json, context: "parameters")
        guard let taskName = try reader.string("task") else {
            throw .invalidParameters(
                "parameters.task is required: \"regression\", \"classification\" or \"clustering\"")
        }
        guard let task = MLTask(rawValue: taskName) else {
            throw .invalidParameters(
                "parameters.task is \(MLError.show(taskName)); expected \"regression\", \"classification\" or \"clustering\""
            )
        }
        let algorithmName = try reader.choice(
            "algorithm", Algorithm.allCases.map(\.rawValue), default: Algorithm.standard(for: task).rawValue)
        let algorithm = Algorithm(rawValue: algorithmName) ?? Algorithm.standard(for: task)
        guard algorithm.tasks.contains(task) else {
            throw .invalidParameters("algorithm \"\(algorithm.rawValue)\" cannot do \(task.rawValue)")
        }
        self.task = task
        self.algorithm = algorithm
        target = try reader.string("target")
        if task != .clustering, target == nil {
            throw .invalidParameters("parameters.target is required for \(task.rawValue): the column to predict")
        }
        features = try reader.strings("features")
        if let features, features.isEmpty { throw .invalidParameters("parameters.features must not be empty") }
        categoricalFeatures = try reader.strings("categorical_features") ?? []
        let policy = try reader.choice(
            "missing_values", MissingValuePolicy.allCases.map(\.rawValue), default: MissingValuePolicy.mean.rawValue)
        missingValues = MissingValuePolicy(rawValue: policy) ?? .mean
        validationFraction = try reader.double("validation_fraction", default: 0.2, above: 0)
        guard validationFraction < 1 else { throw .invalidParameters("parameters.validation_fraction must be below 1") }
        kFolds = try reader.integer("k_folds", minimum: 2)
        seed = try reader.integer("seed", default: 42, minimum: Int.min)
        hyperparameters = try Hyperparameters.read(reader.raw("hyperparameters"), algorithm: algorithm, task: task)
        try reader.finish()
    }

    /// JSON Schema (draft 2020-12) of `task_spec.parameters` for the MLTraining executor.
    public static let schema: JSONValue = [
        "type": "object",
        "required": ["task"],
        "properties": [
            "task": ["enum": ["regression", "classification", "clustering"]],
            "algorithm": [
                "enum": ["linear_regression", "logistic_regression", "decision_tree", "random_forest", "kmeans"],
                "description":
                    "default: linear_regression (regression), logistic_regression (classification), kmeans (clustering)",
            ],
            "target": ["type": "string", "minLength": 1, "description": "required unless task is clustering"],
            "features": [
                "type": "array", "items": ["type": "string", "minLength": 1], "uniqueItems": true, "minItems": 1,
                "description": "default: every column except the target",
            ],
            "categorical_features": [
                "type": "array", "items": ["type": "string", "minLength": 1], "uniqueItems": true,
                "description": "columns to one-hot encode even when their values read as numbers",
            ],
            "missing_values": ["enum": ["mean", "median", "drop_rows", "error"], "default": "mean"],
            "hyperparameters": [
                "type": "object",
                "description": "per algorithm; see MODEL_FORMAT.md. Unknown keys are refused.",
                "properties": [
                    "alpha": ["type": "number", "minimum": 0, "default": 0],
                    "C": ["type": "number", "exclusiveMinimum": 0, "default": 1],
                    "max_iter": ["type": "integer", "minimum": 1],
                    "tol": ["type": "number", "minimum": 0],
                    "criterion": ["enum": ["gini", "entropy", "squared_error"]],
                    "max_depth": ["type": ["integer", "null"], "minimum": 1, "default": nil],
                    "min_samples_split": ["type": "integer", "minimum": 2, "default": 2],
                    "min_samples_leaf": ["type": "integer", "minimum": 1, "default": 1],
                    "max_features": [
                        "anyOf": [
                            ["enum": ["sqrt", "log2"]], ["type": "integer", "minimum": 1],
                            ["type": "number", "exclusiveMinimum": 0, "maximum": 1], ["type": "null"],
                        ]
                    ],
                    "min_impurity_decrease": ["type": "number", "minimum": 0, "default": 0],
                    "n_estimators": ["type": "integer", "minimum": 1, "default": 100],
                    "bootstrap": ["type": "boolean", "default": true],
                    "n_jobs": ["type": "integer", "minimum": 0, "default": 0],
                    "n_clusters": ["type": "integer", "minimum": 1, "default": 8],
                    "init": ["enum": ["k-means++", "random"], "default": "k-means++"],
                    "n_init": ["type": "integer", "minimum": 1, "default": 1],
                ],
                "additionalProperties": false,
            ],
            "validation_fraction": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.2],
            "k_folds": ["type": "integer", "minimum": 2],
            "seed": ["type": "integer", "default": 42],
        ],
        "additionalProperties": false,
    ]
}
