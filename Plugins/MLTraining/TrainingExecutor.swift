import MimirPluginSDK

/// Trains a model on a project dataset. This version declares the contract; training arrives in
/// a later version and until then every job fails honestly.
struct TrainingExecutor: Executor {
    static let jobType = "ml_training"
    static let version = "0.1.0"
    static let summary = "Trains regression, classification and clustering models on project datasets"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 1 << 30)
    static let parametersSchema: JSONValue = [
        "type": "object",
        "required": ["task"],
        "properties": [
            "task": ["enum": ["regression", "classification", "clustering"]],
            "algorithm": [
                "enum": ["linear_regression", "logistic_regression", "decision_tree", "random_forest", "kmeans"]
            ],
            "target": ["type": "string", "minLength": 1],
            "features": ["type": "array", "items": ["type": "string", "minLength": 1], "uniqueItems": true],
            "hyperparameters": ["type": "object"],
            "validation_fraction": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.2],
            "k_folds": ["type": "integer", "minimum": 2],
            "seed": ["type": "integer", "default": 42],
        ],
        "additionalProperties": false,
    ]

    init(configuration: PluginConfiguration) {}

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        if job.parameters["task"]?.stringValue != "clustering", job.parameters["target"] == nil {
            throw ExecutorError.invalidInput("parameters.target is required for regression and classification")
        }
        throw ExecutorError.permanent("\(Self.jobType) is not implemented in MLTraining \(MLTrainingPlugin.version)")
    }
}
