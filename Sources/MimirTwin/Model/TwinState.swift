import MimirCore

/// A twin as read at one version: what an update computes from and what it commits against.
public struct TwinState: Sendable {
    public let twinID: String
    public let schema: TwinSchema
    /// 0 for a twin that does not exist yet.
    public let version: Int64
    public var entities: [String: TwinEntity]
    /// The recent values of the attributes the batch touches, oldest first, for the z-scores.
    var recent: [EntityAttribute: [RecentValue]]

    init(
        twinID: String, schema: TwinSchema, version: Int64, entities: [String: TwinEntity],
        recent: [EntityAttribute: [RecentValue]] = [:]
    ) {
        self.twinID = twinID
        self.schema = schema
        self.version = version
        self.entities = entities
        self.recent = recent
    }
}

/// One attribute of one entity: the unit of change, history and anomaly detection.
public struct EntityAttribute: Sendable, Hashable, Comparable {
    public let entity: String
    public let attribute: String

    public init(entity: String, attribute: String) {
        self.entity = entity
        self.attribute = attribute
    }

    public static func < (left: EntityAttribute, right: EntityAttribute) -> Bool {
        (left.entity, left.attribute) < (right.entity, right.attribute)
    }
}

/// One stored value of an attribute's recent history: `{"value", "timestamp", "version"}`.
struct RecentValue: Sendable, Hashable {
    let value: JSONValue
    let timestamp: Int64
    let version: Int64

    var json: JSONValue {
        ["value": value, "timestamp": .string(TwinTimestamp.format(timestamp)), "version": .integer(version)]
    }

    init(value: JSONValue, timestamp: Int64, version: Int64) {
        self.value = value
        self.timestamp = timestamp
        self.version = version
    }

    init?(json: JSONValue) {
        guard let value = json["value"], let timestamp = json["timestamp"].flatMap(TwinTimestamp.parse),
            let version = json["version"]?.int64Value
        else { return nil }
        self.init(value: value, timestamp: timestamp, version: version)
    }
}
