import MimirCore

/// JSON Schema compares numbers by mathematical value (1 equals 1.0), while `JSONValue`'s synthesized
/// equality compares enum cases. Rewriting every whole, `Int64`-sized double as `.integer` gives each number
/// one representation, after which plain `==` and hashing implement the schema's notion of equality.
extension JSONValue {
    var canonicalForEquality: JSONValue {
        switch self {
        case .number(let double):
            if let integer = Int64(exactly: double) { return .integer(integer) }
            return self
        case .array(let elements):
            return .array(elements.map(\.canonicalForEquality))
        case .object(let members):
            return .object(members.mapValues(\.canonicalForEquality))
        case .null, .bool, .integer, .string:
            return self
        }
    }
}
