import MimirPluginSDK

/// Serves predictions from a trained model artifact. This version declares the contract;
/// inference arrives in a later version and until then every job fails honestly.
struct InferenceExecutor: Executor {
    static let jobType = "ml_inference"
    static let version = "0.1.0"
    static let summary = "Predicts with a trained model over a dataset or inline rows"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 512 << 20)
    static let parametersSchema: JSONValue = [
        "type": "object",
        "properties": [
            "model_version": ["type": "string", "minLength": 1],
            "rows": ["type": "array", "items": ["type": "object"]],
            "include_probabilities": ["type": "boolean", "default": true],
        ],
        "additionalProperties": false,
    ]

    init(configuration: PluginConfiguration) {}

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        guard job.document["task_spec"]?["model_id"]?.stringValue != nil else {
            throw ExecutorError.invalidInput("task_spec.model_id is required: which model to predict with")
        }
        throw ExecutorError.permanent("\(Self.jobType) is not implemented in MLInference \(MLInferencePlugin.version)")
    }
}
