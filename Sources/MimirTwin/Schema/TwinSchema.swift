import MimirCore

/// The ontology of a twin: its entity types, their typed attributes and their relationships.
///
/// Kept as the JSON it was read from (``document``) as well: that text is what Redis stores, and
/// reading it again must give the same schema, so the twin never depends on how a Swift value
/// happens to serialise.
public struct TwinSchema: Sendable {
    public let entityTypes: [String: EntityTypeSpec]
    public let document: JSONValue
    /// Every derived attribute, each after those it reads: the order to recompute them in.
    public let derivedOrder: [AttributeRef]

    public func attribute(_ name: String, ofType type: String) -> AttributeSpec? {
        entityTypes[type]?.attributes[name]
    }

    public func relationship(_ name: String, ofType type: String) -> RelationshipSpec? {
        entityTypes[type]?.relationships[name]
    }
}

/// An attribute of an entity type, as a node of the derived-attribute dependency graph.
public struct AttributeRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let type: String
    public let attribute: String

    public init(type: String, attribute: String) {
        self.type = type
        self.attribute = attribute
    }

    public var description: String { "\(type).\(attribute)" }

    public static func < (left: AttributeRef, right: AttributeRef) -> Bool {
        (left.type, left.attribute) < (right.type, right.attribute)
    }
}

/// Why a schema was refused: every problem found, each with its path.
public struct TwinSchemaError: Error, Sendable, CustomStringConvertible {
    public let problems: [PathProblem]

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "the twin schema has \(count):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
