/// The value types an attribute may have.
public enum AttributeType: String, Sendable, Hashable, CaseIterable {
    case number, string, bool, timestamp
    case enumeration = "enum"

    static let listing = allCases.map(\.rawValue).joined(separator: ", ")
}

/// Rolling z-score settings of a number attribute.
public struct AnomalySettings: Sendable, Hashable {
    /// |z| above this is an anomaly.
    public var zThreshold: Double
    /// How many of the attribute's latest values the mean and deviation are taken over; also
    /// how many recent values are kept per entity.
    public var window: Int
    /// Fewer stored values than this and the z-score is not judged: a short history says nothing.
    public var minimumHistory: Int

    public static let standard = AnomalySettings(zThreshold: 3, window: 50, minimumHistory: 5)

    public init(zThreshold: Double, window: Int, minimumHistory: Int) {
        self.zThreshold = zThreshold
        self.window = window
        self.minimumHistory = minimumHistory
    }
}

/// One attribute of an entity type.
public struct AttributeSpec: Sendable {
    public let name: String
    public let type: AttributeType
    /// The allowed values of an `enum` attribute, in declared order.
    public let allowedValues: [String]
    /// Values outside these bounds are stored but reported as anomalies (`below_min`, `above_max`).
    public let minimum: Double?
    public let maximum: Double?
    /// `nil` when the z-score is off: a non-number attribute, or `"anomaly": false`.
    public let anomaly: AnomalySettings?
    /// Set for an attribute computed from others; such an attribute cannot be observed.
    public let derived: DerivedFormula?

    /// Recent values kept per entity for this attribute: the z-score window for numbers, a short
    /// tail for the rest (the read API shows them).
    public var recentLimit: Int { anomaly?.window ?? Self.defaultRecentLimit }

    static let defaultRecentLimit = 20

    public var isDerived: Bool { derived != nil }
}

public enum Cardinality: String, Sendable, Hashable {
    case one, many
}

/// A typed link from an entity type to another (or the same) type.
public struct RelationshipSpec: Sendable, Hashable {
    public let name: String
    public let target: String
    public let cardinality: Cardinality
    /// The relationship of the target type that is the other side of this one. Declaring it on
    /// either side is enough: both sides are then kept in step on every change.
    public let inverse: String?
}

/// One entity type of the ontology.
public struct EntityTypeSpec: Sendable {
    public let name: String
    public let attributes: [String: AttributeSpec]
    public let relationships: [String: RelationshipSpec]
}
