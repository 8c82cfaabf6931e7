import MimirCore

extension TwinSchema {
    /// Reads a schema document, reporting every problem found rather than the first.
    ///
    /// Runs in two passes: relationships and derived expressions may name types declared later in
    /// the document, so the types' plain attributes and relationships are read first, then the
    /// expressions are checked against all of them.
    public static func parse(_ document: JSONValue) throws(TwinSchemaError) -> TwinSchema {
        var problems = ProblemList()
        guard let root = document.objectValue else {
            throw TwinSchemaError(problems: [PathProblem(path: "", message: "a schema is a JSON object")])
        }
        for key in root.keys.sorted() where !["entity_types", "description"].contains(key) {
            problems.add(key, "unknown key (allowed: entity_types, description)")
        }
        guard let typesObject = root["entity_types"]?.objectValue, !typesObject.isEmpty else {
            problems.add("entity_types", "required: an object of one or more entity types")
            throw TwinSchemaError(problems: problems.problems)
        }
        var drafts: [String: TypeDraft] = [:]
        for name in typesObject.keys.sorted() {
            let path = "entity_types.\(name)"
            if !Names.isIdentifier(name) || name.hasPrefix("_") {
                problems.add(path, "an entity type name is an identifier (a letter, then letters, digits, '_')")
            }
            guard let object = typesObject[name]?.objectValue else {
                problems.add(path, "an entity type is an object with attributes and relationships")
                continue
            }
            drafts[name] = TypeDraft.read(name: name, object, path: path, problems: &problems)
        }
        RelationshipChecks.check(&drafts, problems: &problems)
        let types = compileDerived(drafts, problems: &problems)
        let order = DerivedOrder.sort(types, problems: &problems)
        guard problems.isEmpty else { throw TwinSchemaError(problems: problems.problems) }
        return TwinSchema(entityTypes: types, document: document, derivedOrder: order)
    }

    /// Parses schema JSON text; a syntax error is reported as a problem at the root.
    public static func parse(text: String) throws(TwinSchemaError) -> TwinSchema {
        do {
            return try parse(try JSONValue.parse(text))
        } catch let error as TwinSchemaError {
            throw error
        } catch {
            throw TwinSchemaError(problems: [PathProblem(path: "", message: "not JSON: \(error)")])
        }
    }

    private static func compileDerived(_ drafts: [String: TypeDraft], problems: inout ProblemList)
        -> [String: EntityTypeSpec]
    {
        let plain = drafts.mapValues(\.spec)
        var types: [String: EntityTypeSpec] = [:]
        for (name, draft) in drafts.sorted(by: { $0.key < $1.key }) {
            var attributes = draft.spec.attributes
            for (attributeName, text) in draft.derivedSources.sorted(by: { $0.key < $1.key }) {
                let path = "entity_types.\(name).attributes.\(attributeName).derived"
                guard let plainSpec = attributes[attributeName] else { continue }
                switch FormulaCompiler.compile(text, entityType: name, types: plain) {
                case .success(let formula):
                    attributes[attributeName] = plainSpec.withDerived(formula)
                case .failure(let problem):
                    problems.add(path, problem.message)
                }
            }
            types[name] = EntityTypeSpec(name: name, attributes: attributes, relationships: draft.spec.relationships)
        }
        return types
    }
}

/// One entity type as read in the first pass: derived expressions still text.
struct TypeDraft {
    var spec: EntityTypeSpec
    var derivedSources: [String: String]

    static func read(name: String, _ object: [String: JSONValue], path: String, problems: inout ProblemList)
        -> TypeDraft
    {
        for key in object.keys.sorted() where !["attributes", "relationships", "description"].contains(key) {
            problems.add("\(path).\(key)", "unknown key (allowed: attributes, relationships, description)")
        }
        var attributes: [String: AttributeSpec] = [:]
        var derived: [String: String] = [:]
        let attributeObject = object["attributes"]
        if let attributeObject, attributeObject.objectValue == nil {
            problems.add("\(path).attributes", "an object of attribute name to attribute")
        }
        for (attributeName, value) in (attributeObject?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let attributePath = "\(path).attributes.\(attributeName)"
            guard checkName(attributeName, path: attributePath, problems: &problems) else { continue }
            guard let read = AttributeReader.read(attributeName, value, path: attributePath, problems: &problems)
            else { continue }
            attributes[attributeName] = read.spec
            if let source = read.derivedSource { derived[attributeName] = source }
        }
        var relationships: [String: RelationshipSpec] = [:]
        let relationshipObject = object["relationships"]
        if let relationshipObject, relationshipObject.objectValue == nil {
            problems.add("\(path).relationships", "an object of relationship name to relationship")
        }
        for (relationshipName, value) in (relationshipObject?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let relationshipPath = "\(path).relationships.\(relationshipName)"
            guard checkName(relationshipName, path: relationshipPath, problems: &problems) else { continue }
            if attributes[relationshipName] != nil {
                problems.add(relationshipPath, "an attribute of \(name) has the same name")
                continue
            }
            if let spec = RelationshipReader.read(relationshipName, value, path: relationshipPath, problems: &problems)
            {
                relationships[relationshipName] = spec
            }
        }
        return TypeDraft(
            spec: EntityTypeSpec(name: name, attributes: attributes, relationships: relationships),
            derivedSources: derived)
    }

    /// Attribute and relationship names are referred to from expressions, so they must be
    /// identifiers that are not words of the expression language.
    private static func checkName(_ name: String, path: String, problems: inout ProblemList) -> Bool {
        if !Names.isIdentifier(name) || name.hasPrefix("_") {
            problems.add(path, "a name is an identifier (a letter, then letters, digits, '_')")
            return false
        }
        if FormulaCompiler.reservedWords.contains(name.lowercased()) {
            let words = FormulaCompiler.reservedWords.sorted().joined(separator: ", ")
            problems.add(path, "\"\(name)\" is a word of the expression language (\(words)); choose another name")
            return false
        }
        return true
    }
}
