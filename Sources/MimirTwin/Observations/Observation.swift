import MimirCore

/// One reported value of one attribute of one entity, as received: not yet checked against the
/// schema, so that a bad one can be reported with its position instead of failing the read.
public struct Observation: Sendable, Hashable {
    public var entity: String
    public var attribute: String
    public var value: JSONValue
    /// RFC 3339 text or milliseconds since the epoch; `nil` means "when the job runs".
    public var timestamp: JSONValue?
    /// The value came from text (a CSV cell): "21.5" may be read as the number the attribute
    /// wants. Inline JSON observations are typed and are never converted.
    public var valueIsText: Bool
    /// Where it came from, for reports: "observations[3]", "dataset line 17".
    public var origin: String?

    public init(
        entity: String, attribute: String, value: JSONValue, timestamp: JSONValue? = nil, valueIsText: Bool = false,
        origin: String? = nil
    ) {
        self.entity = entity
        self.attribute = attribute
        self.value = value
        self.timestamp = timestamp
        self.valueIsText = valueIsText
        self.origin = origin
    }
}

/// An observation that passed validation: its value normalised to the attribute's type and its
/// time resolved.
struct ValidObservation: Sendable, Hashable {
    /// Position in the batch (inline observations first, then the dataset's).
    let index: Int
    let entity: String
    let attribute: String
    let value: JSONValue
    let timestamp: Int64

    var key: EntityAttribute { EntityAttribute(entity: entity, attribute: attribute) }
}

/// Why one observation of a batch was refused.
public struct ObservationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case unknownEntity = "unknown_entity"
        case unknownAttribute = "unknown_attribute"
        case derivedAttribute = "derived_attribute"
        case wrongType = "wrong_type"
        case notAllowed = "enum_value"
        case badTimestamp = "bad_timestamp"
    }

    /// Position in the batch (inline observations first, then the dataset's).
    public let index: Int
    public let origin: String?
    public let entity: String
    public let attribute: String
    public let kind: Kind
    public let message: String

    public var description: String {
        "observation \(index)\(origin.map { " (\($0))" } ?? "") \(entity).\(attribute): \(message)"
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "index": .integer(Int64(index)), "entity": .string(entity), "attribute": .string(attribute),
            "kind": .string(kind.rawValue), "message": .string(message),
        ]
        if let origin { object["origin"] = .string(origin) }
        return .object(object)
    }
}
