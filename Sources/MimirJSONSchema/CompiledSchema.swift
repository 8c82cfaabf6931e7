import MimirCore

/// Index of a subschema in `CompiledSchema.nodes`. Subschemas refer to each other by index, so recursive
/// `$ref`s are plain integers rather than reference cycles, and the whole structure stays an immutable value.
typealias NodeID = Int

/// The schema after meta-validation, in a form the validator walks without looking at JSON again.
struct CompiledSchema: Sendable {
    let nodes: [SchemaNode]
    /// `$ref` targets, indexed by `Constraint.reference`; filled in once every subschema has been compiled.
    let referenceTargets: [NodeID]
    let root: NodeID
}

enum SchemaNode: Sendable {
    /// `true` accepts everything, `false` nothing.
    case boolean(Bool)
    /// An object schema: every constraint must hold. Annotation and unknown keywords leave no trace here.
    case constraints([Constraint])
}

/// The seven type names JSON Schema knows; "integer" is a subset of "number".
enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, integer, number, string, array, object

    func admits(_ value: JSONValue) -> Bool {
        switch self {
        case .number: value.doubleValue != nil
        default: value.typeName == rawValue
        }
    }
}

/// One compiled keyword (or a group of keywords that only make sense together, such as `items` after
/// `prefixItems`), grouped by the kind of instance it looks at so that each group's checks can switch
/// exhaustively. Counts are `Int`; a count too large for `Int` is clamped, which no instance can reach anyway.
enum Constraint: Sendable {
    case value(ValueConstraint)
    case object(ObjectConstraint)
    case array(ArrayConstraint)
    case applicator(ApplicatorConstraint)
}

/// Keywords about the instance's own value; the number and string ones ignore other types.
enum ValueConstraint: Sendable {
    case type([JSONType])
    /// `values` are `canonicalForEquality`; `original` keeps the schema's spelling for messages.
    case enumeration(values: Set<JSONValue>, original: [JSONValue])
    case constant(value: JSONValue, original: JSONValue)
    case minimum(JSONNumber, exclusive: Bool)
    case maximum(JSONNumber, exclusive: Bool)
    case multipleOf(JSONNumber)
    case minLength(Int)
    case maxLength(Int)
    case pattern(PatternMatcher)
}

/// Keywords that only apply to objects.
enum ObjectConstraint: Sendable {
    /// Sorted by name, so evaluation order (and the first violation in fast mode) never depends on hashing.
    case properties([(name: String, schema: NodeID)])
    case patternProperties([(PatternMatcher, NodeID)])
    /// Applies to members matched by neither `properties` nor `patternProperties` of the same schema.
    case additionalProperties(NodeID, declared: Set<String>, patterns: [PatternMatcher])
    case required([String])
    case minProperties(Int)
    case maxProperties(Int)
    case propertyNames(NodeID)
    case dependentRequired([(property: String, requires: [String])])
    case dependentSchemas([(property: String, schema: NodeID)])
}

/// Keywords that only apply to arrays.
enum ArrayConstraint: Sendable {
    case prefixItems([NodeID])
    /// Applies to the items after the first `startIndex` (those `prefixItems` covers).
    case items(NodeID, startIndex: Int)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems
    /// `minimum` is `minContains` (default 1), `maximum` is `maxContains`.
    case contains(NodeID, minimum: Int, maximum: Int?)
}

/// Keywords that apply subschemas to the instance itself, whatever its type.
enum ApplicatorConstraint: Sendable {
    case allOf([NodeID])
    case anyOf([NodeID])
    case oneOf([NodeID])
    case not(NodeID)
    case conditional(if: NodeID, then: NodeID?, else: NodeID?)
    /// An index into `CompiledSchema.referenceTargets`.
    case reference(Int)
}
