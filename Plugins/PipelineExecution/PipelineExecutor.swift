import MimirPluginSDK

/// Runs a data pipeline: sources, transforms, sinks. This version declares the contract; the
/// steps themselves arrive in a later version and until then every job fails honestly.
struct PipelineExecutor: Executor {
    static let jobType = "pipeline_execution"
    static let version = "0.1.0"
    static let summary = "Runs a data pipeline (sources, transforms, sinks) over project datasets"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 256 << 20)
    static let parametersSchema: JSONValue = [
        "type": "object",
        "properties": [
            "steps": [
                "type": "array", "minItems": 1,
                "items": [
                    "type": "object", "required": ["kind"],
                    "properties": [
                        "kind": [
                            "enum": [
                                "source", "select", "rename", "cast", "filter", "derive", "dedupe", "sort",
                                "group_by", "join", "limit", "sink",
                            ]
                        ]
                    ],
                ],
            ],
            "row_error_policy": ["enum": ["fail", "skip"], "default": "fail"],
        ],
        "additionalProperties": false,
    ]

    init(configuration: PluginConfiguration) {}

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        let hasSteps = job.parameters["steps"] != nil
        let hasPipelineID = job.document["task_spec"]?["pipeline_id"]?.stringValue != nil
        guard hasSteps || hasPipelineID else {
            throw ExecutorError.invalidInput("give the pipeline inline as parameters.steps or by task_spec.pipeline_id")
        }
        throw ExecutorError.permanent(
            "\(Self.jobType) is not implemented in PipelineExecution \(PipelineExecutionPlugin.version)")
    }
}
