import MimirPluginSDK

/// The host's first check of `task_spec.parameters`: the shape only. The engine's own parser then
/// checks every step's fields and expressions, naming each problem's path (docs/pipelines.md).
enum PipelineParametersSchema {
    static let stepKinds: [JSONValue] = [
        "source", "select", "rename", "cast", "filter", "derive", "dedupe", "sort", "group_by", "join", "limit",
        "sink",
    ]

    static let document: JSONValue = [
        "type": "object",
        "properties": [
            "steps": [
                "type": "array", "minItems": 1,
                "items": ["type": "object", "required": ["kind"], "properties": ["kind": ["enum": .array(stepKinds)]]],
            ],
            "row_error_policy": ["enum": ["fail", "skip"], "default": "fail"],
            "max_bad_rows": ["type": "integer", "minimum": 0, "default": 10],
        ],
        "additionalProperties": false,
    ]
}
