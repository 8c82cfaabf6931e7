import MimirCore

extension TwinJobParameters {
    /// The JSON Schema of the job's parameters, for the plugin's `parametersSchema`: the host
    /// then refuses malformed jobs before they run. It checks shapes only; ``parse(_:)`` checks
    /// the rest (the schema's meaning, ids) and reports paths.
    public static let jsonSchema: JSONValue = [
        "type": "object",
        "required": ["twin_id"],
        "properties": [
            "twin_id": ["type": "string", "pattern": "^[A-Za-z0-9_.-]{1,128}$"],
            "operation": ["enum": ["define", "update"], "default": "update"],
            "schema": ["type": "object", "required": ["entity_types"]],
            "entities": [
                "type": "array",
                "items": [
                    "type": "object",
                    "required": ["id", "type"],
                    "properties": [
                        "id": ["type": "string"], "type": ["type": "string"],
                        "attributes": ["type": "object"], "relationships": ["type": "object"],
                        "timestamp": ["type": ["string", "integer"]],
                    ],
                    "additionalProperties": false,
                ],
            ],
            "observations": [
                "type": "array",
                "items": [
                    "type": "object",
                    "required": ["entity", "attribute", "value"],
                    "properties": [
                        "entity": ["type": "string", "minLength": 1],
                        "attribute": ["type": "string", "minLength": 1],
                        "value": ["type": ["number", "string", "boolean", "null"]],
                        "timestamp": ["type": ["string", "integer"]],
                    ],
                    "additionalProperties": false,
                ],
            ],
            "what_if": ["type": "boolean", "default": false],
            "on_invalid": ["enum": ["reject", "skip"], "default": "reject"],
        ],
        "additionalProperties": false,
    ]
}
