import MimirCore

/// The result document of a twin job (TWIN.md, "Result").
struct UpdateReport {
    let parameters: TwinJobParameters
    let baseVersion: Int64
    let attempts: Int
    let changes: TwinChangeSet
    /// Set once the commit succeeded.
    var committedVersion: Int64?

    init(parameters: TwinJobParameters, baseVersion: Int64, attempts: Int, changes: TwinChangeSet) {
        self.parameters = parameters
        self.baseVersion = baseVersion
        self.attempts = attempts
        self.changes = changes
    }

    var json: JSONValue {
        [
            "twin_id": .string(parameters.twinID), "operation": .string(parameters.operation.rawValue),
            "what_if": .bool(parameters.whatIf), "committed": .bool(committedVersion != nil),
            "base_version": .integer(baseVersion), "version": .integer(committedVersion ?? baseVersion),
            "attempts": .integer(Int64(attempts)),
            "observations": changes.observationCounts,
            "entities_added": .array(changes.entitiesAdded.map(JSONValue.string)),
            "changes": .array(changes.changes.map(\.json)),
            "relationship_changes": .array(changes.relationshipChanges.map(\.json)),
            "derived": .array(changes.derived.map(\.json)),
            "anomalies": .array(changes.anomalies.map(\.json)),
            "skipped": .array(changes.skipped.map(\.json)),
            "stale": .array(changes.stale.map(\.json)),
            "warnings": .array(changes.warnings.map(JSONValue.string)),
        ]
    }
}
