import MimirPluginSDK

/// Applies observations to a digital twin. This version declares the contract; updates arrive
/// in a later version and until then every job fails honestly.
struct TwinUpdateExecutor: Executor {
    static let jobType = "digital_twin_update"
    static let version = "0.1.0"
    static let summary = "Applies a batch of observations to a versioned digital twin"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 128 << 20)
    static let parametersSchema: JSONValue = [
        "type": "object",
        "required": ["twin_id"],
        "properties": [
            "twin_id": ["type": "string", "minLength": 1],
            "observations": [
                "type": "array",
                "items": [
                    "type": "object",
                    "required": ["entity", "attribute", "value"],
                    "properties": [
                        "entity": ["type": "string", "minLength": 1],
                        "attribute": ["type": "string", "minLength": 1],
                        "value": ["type": ["number", "string", "boolean", "null"]],
                        "timestamp": ["type": "string"],
                    ],
                ],
            ],
            "what_if": ["type": "boolean", "default": false],
            "on_invalid": ["enum": ["reject", "skip"], "default": "reject"],
        ],
        "additionalProperties": false,
    ]

    init(configuration: PluginConfiguration) {}

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        throw ExecutorError.permanent(
            "\(Self.jobType) is not implemented in DigitalTwinUpdate \(DigitalTwinUpdatePlugin.version)")
    }
}
