import MimirCore

/// A derived attribute's expression, compiled against its entity type.
///
/// What it reads is known up front (``ownAttributes``, ``relationTerms``) so that the update
/// recomputes only what a batch touched, and so that the schema can order derived attributes and
/// refuse cycles before any value exists.
public struct DerivedFormula: Sendable {
    public let source: String
    /// Attributes of the entity itself that the expression reads.
    let ownAttributes: Set<String>
    /// Values read through relationships, each bound to the expression as one value.
    let relationTerms: [RelationTerm]
    let evaluator: any FormulaEvaluator

    /// The attributes (of this and related types) whose change can change this value.
    func dependencies(entityType: String, schemaTypes: [String: EntityTypeSpec]) -> [AttributeRef] {
        var refs = ownAttributes.map { AttributeRef(type: entityType, attribute: $0) }
        for term in relationTerms {
            guard let attribute = term.attribute,
                let target = schemaTypes[entityType]?.relationships[term.relationship]?.target
            else { continue }
            refs.append(AttributeRef(type: target, attribute: attribute))
        }
        return refs
    }
}

/// The aggregates over a relationship: `avg(sensors.temperature)`, `count(sensors)`.
public enum AggregateFunction: String, Sendable, Hashable, CaseIterable {
    case avg, sum, min, max, count
}

/// A value the expression reads through a relationship: an aggregate over the related entities,
/// or (with no aggregate) the attribute of the single entity a to-one relationship points at.
struct RelationTerm: Sendable, Hashable {
    let relationship: String
    /// `nil` only for `count(relationship)`, which counts the related entities themselves.
    let attribute: String?
    let aggregate: AggregateFunction?
}

/// Why a derived value could not be computed; the update reports it and stores `null`.
struct FormulaError: Error, Sendable, CustomStringConvertible {
    let description: String
}

/// Evaluates a compiled expression given the values of what it reads.
protocol FormulaEvaluator: Sendable {
    /// `own` holds the entity's attributes (null when unset); `terms` the value of each of the
    /// formula's relation terms, in the same order.
    func evaluate(own: [String: JSONValue], terms: [JSONValue]) throws(FormulaError) -> JSONValue
}
