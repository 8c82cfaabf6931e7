import MimirCore

/// One attribute's change in one update: its value before the update and after it.
public struct AttributeChange: Sendable, Hashable {
    public let entity: String
    public let attribute: String
    public let before: JSONValue
    public let after: JSONValue
    /// When the value was observed (or computed, for derived values).
    public let timestamp: Int64
    /// Observations of this attribute the update applied (0 for derived values).
    public let observations: Int

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "entity": .string(entity), "attribute": .string(attribute), "before": before, "after": after,
            "timestamp": .string(TwinTimestamp.format(timestamp)),
        ]
        if observations > 1 { object["observations"] = .integer(Int64(observations)) }
        return .object(object)
    }
}

public struct RelationshipChange: Sendable, Hashable {
    public let entity: String
    public let relationship: String
    public let before: [String]
    public let after: [String]

    var json: JSONValue {
        [
            "entity": .string(entity), "relationship": .string(relationship),
            "before": .array(before.map(JSONValue.string)), "after": .array(after.map(JSONValue.string)),
        ]
    }
}

/// An observation older than the attribute's current value: it does not replace it.
public struct StaleObservation: Sendable, Hashable {
    public let index: Int
    public let entity: String
    public let attribute: String
    public let timestamp: Int64
    public let currentTimestamp: Int64

    var json: JSONValue {
        [
            "index": .integer(Int64(index)), "entity": .string(entity), "attribute": .string(attribute),
            "timestamp": .string(TwinTimestamp.format(timestamp)),
            "current_timestamp": .string(TwinTimestamp.format(currentTimestamp)),
        ]
    }
}

/// Everything one update computed: what the result reports, what the history entry records and
/// what the commit writes.
public struct TwinChangeSet: Sendable {
    public var entitiesAdded: [String] = []
    public var changes: [AttributeChange] = []
    public var relationshipChanges: [RelationshipChange] = []
    public var derived: [AttributeChange] = []
    public var anomalies: [Anomaly] = []
    public var skipped: [ObservationProblem] = []
    public var stale: [StaleObservation] = []
    /// Derived values that could not be computed (stored as null), and similar non-fatal news.
    public var warnings: [String] = []
    public var received = 0
    public var applied = 0

    /// The entities to write: those that changed in any way.
    var changedEntities: [TwinEntity] = []
    /// Values to append to the attributes' recent histories, in order, with how many to keep.
    var appends: [(key: EntityAttribute, value: RecentValue, keep: Int)] = []

    /// Nothing to commit: no entity, value or link changed and no observation was applied.
    public var isEmpty: Bool {
        entitiesAdded.isEmpty && changes.isEmpty && relationshipChanges.isEmpty && derived.isEmpty
    }

    var observationCounts: JSONValue {
        [
            "received": .integer(Int64(received)), "applied": .integer(Int64(applied)),
            "skipped": .integer(Int64(skipped.count)), "stale": .integer(Int64(stale.count)),
        ]
    }

    /// The history entry of the version this change set becomes.
    func historyEntry(version: Int64, committedAt: Int64, jobID: String, operation: TwinOperation) -> JSONValue {
        [
            "version": .integer(version), "committed_at": .string(TwinTimestamp.format(committedAt)),
            "job_id": .string(jobID), "operation": .string(operation.rawValue),
            "entities_added": .array(entitiesAdded.map(JSONValue.string)),
            "changes": .array(changes.map(\.json)),
            "relationship_changes": .array(relationshipChanges.map(\.json)),
            "derived": .array(derived.map(\.json)), "anomalies": .array(anomalies.map(\.json)),
            "observations": observationCounts,
        ]
    }
}

/// What a twin job does: create a twin, or change one.
public enum TwinOperation: String, Sendable, Hashable {
    case define, update
}
