import MimirCore

/// One entity instance of a twin: its attribute values, when each was observed, and its links.
///
/// Links are stored on both sides when the relationship has an inverse, so a reader of one
/// entity sees all its links without scanning the others.
public struct TwinEntity: Sendable, Hashable {
    public let id: String
    public let type: String
    public var attributes: [String: JSONValue]
    /// When each attribute's current value was observed (milliseconds since the epoch); derived
    /// attributes carry the time they were last computed.
    public var observedAt: [String: Int64]
    /// Relationship name to the ids of the related entities, sorted.
    public var relationships: [String: [String]]

    public init(
        id: String, type: String, attributes: [String: JSONValue] = [:], observedAt: [String: Int64] = [:],
        relationships: [String: [String]] = [:]
    ) {
        self.id = id
        self.type = type
        self.attributes = attributes
        self.observedAt = observedAt
        self.relationships = relationships
    }

    public func value(_ attribute: String) -> JSONValue {
        attributes[attribute] ?? .null
    }

    /// Sets a value; null removes it, so an unset attribute and a cleared one read the same.
    mutating func set(_ attribute: String, _ value: JSONValue) {
        // Not `attributes[attribute] = value.isNull ? nil : value`: JSONValue is nil-literal
        // expressible, so that `nil` would be stored as `.null`.
        if value.isNull {
            attributes.removeValue(forKey: attribute)
        } else {
            attributes[attribute] = value
        }
    }

    public func related(_ relationship: String) -> [String] {
        relationships[relationship] ?? []
    }
}

extension TwinEntity {
    /// The stored form, also the read API's: `{"id", "type", "attributes", "observed_at", "relationships"}`.
    public var json: JSONValue {
        .object([
            "id": .string(id), "type": .string(type), "attributes": .object(attributes),
            "observed_at": .object(observedAt.mapValues { .string(TwinTimestamp.format($0)) }),
            "relationships": .object(relationships.mapValues { .array($0.map(JSONValue.string)) }),
        ])
    }

    /// Reads the stored form; `nil` for anything else, which the store reports as corrupt.
    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let type = json["type"]?.stringValue,
            let attributes = json["attributes"]?.objectValue
        else { return nil }
        var observedAt: [String: Int64] = [:]
        for (name, value) in json["observed_at"]?.objectValue ?? [:] {
            guard let instant = TwinTimestamp.parse(value) else { return nil }
            observedAt[name] = instant
        }
        var relationships: [String: [String]] = [:]
        for (name, value) in json["relationships"]?.objectValue ?? [:] {
            guard let ids = value.arrayValue?.compactMap(\.stringValue) else { return nil }
            relationships[name] = ids
        }
        self.init(id: id, type: type, attributes: attributes, observedAt: observedAt, relationships: relationships)
    }
}
