import MimirCore

/// Reads one relationship declaration (`{"target": "Sensor", "cardinality": "many", "inverse": "greenhouse"}`).
enum RelationshipReader {
    static let keys = ["target", "cardinality", "inverse", "description"]

    static func read(_ name: String, _ value: JSONValue, path: String, problems: inout ProblemList)
        -> RelationshipSpec?
    {
        guard let object = value.objectValue else {
            problems.add(
                path, "a relationship is an object such as {\"target\": \"Sensor\", \"cardinality\": \"many\"}")
            return nil
        }
        for key in object.keys.sorted() where !keys.contains(key) {
            problems.add("\(path).\(key)", "unknown key (allowed: \(keys.joined(separator: ", ")))")
        }
        guard let target = object["target"]?.stringValue else {
            problems.add("\(path).target", "required: the name of an entity type")
            return nil
        }
        var cardinality = Cardinality.many
        if let given = object["cardinality"] {
            guard let parsed = given.stringValue.flatMap(Cardinality.init(rawValue:)) else {
                problems.add("\(path).cardinality", "\"one\" or \"many\"")
                return nil
            }
            cardinality = parsed
        }
        var inverse: String?
        if let given = object["inverse"] {
            guard let text = given.stringValue, Names.isIdentifier(text) else {
                problems.add("\(path).inverse", "the name of a relationship of \(target)")
                return nil
            }
            inverse = text
        }
        return RelationshipSpec(name: name, target: target, cardinality: cardinality, inverse: inverse)
    }
}

/// Checks that relationships point at declared types and that declared inverses agree, then
/// records each inverse on both sides so the rest of the code never looks for it twice.
enum RelationshipChecks {
    static func check(_ drafts: inout [String: TypeDraft], problems: inout ProblemList) {
        var inverses: [AttributeRef: String] = [:]
        for (typeName, draft) in drafts.sorted(by: { $0.key < $1.key }) {
            for (name, relationship) in draft.spec.relationships.sorted(by: { $0.key < $1.key }) {
                let path = "entity_types.\(typeName).relationships.\(name)"
                guard let target = drafts[relationship.target] else {
                    let known = drafts.keys.sorted().joined(separator: ", ")
                    problems.add("\(path).target", "unknown entity type \"\(relationship.target)\" (\(known))")
                    continue
                }
                guard let inverseName = relationship.inverse else { continue }
                guard let inverse = target.spec.relationships[inverseName] else {
                    problems.add("\(path).inverse", "\(relationship.target) has no relationship \"\(inverseName)\"")
                    continue
                }
                if inverse.target != typeName {
                    problems.add(
                        "\(path).inverse",
                        "\(relationship.target).\(inverseName) points at \(inverse.target), not \(typeName)")
                    continue
                }
                if let back = inverse.inverse, back != name {
                    problems.add(
                        "\(path).inverse", "\(relationship.target).\(inverseName) declares \"\(back)\" as its inverse")
                    continue
                }
                inverses[AttributeRef(type: typeName, attribute: name)] = inverseName
                inverses[AttributeRef(type: relationship.target, attribute: inverseName)] = name
            }
        }
        for (ref, inverse) in inverses {
            guard var draft = drafts[ref.type], let relationship = draft.spec.relationships[ref.attribute] else {
                continue
            }
            var relationships = draft.spec.relationships
            relationships[ref.attribute] = RelationshipSpec(
                name: relationship.name, target: relationship.target, cardinality: relationship.cardinality,
                inverse: inverse)
            draft.spec = EntityTypeSpec(
                name: draft.spec.name, attributes: draft.spec.attributes, relationships: relationships)
            drafts[ref.type] = draft
        }
    }
}
