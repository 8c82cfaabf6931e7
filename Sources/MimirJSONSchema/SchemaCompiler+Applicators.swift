import MimirCore

/// Compilation of the keywords that combine subschemas, `$ref`, and the `$defs` they point to.
extension SchemaCompiler {
    mutating func compileApplicators(_ schema: SchemaObject) throws(JSONSchemaError) -> [ApplicatorConstraint] {
        var constraints: [ApplicatorConstraint] = []
        if let reference = try compileReference(schema) {
            constraints.append(.reference(reference))
        }
        if let branches = try compileSchemaArray(schema, "allOf") {
            constraints.append(.allOf(branches))
        }
        if let branches = try compileSchemaArray(schema, "anyOf") {
            constraints.append(.anyOf(branches))
        }
        if let branches = try compileSchemaArray(schema, "oneOf") {
            constraints.append(.oneOf(branches))
        }
        if let negated = try compileSubschema(schema, "not") {
            constraints.append(.not(negated))
        }
        // "then" and "else" mean nothing without "if" but are still checked, as a typo'd "if" would leave them.
        let condition = try compileSubschema(schema, "if")
        let then = try compileSubschema(schema, "then")
        let otherwise = try compileSubschema(schema, "else")
        if let condition, then != nil || otherwise != nil {
            constraints.append(.conditional(if: condition, then: then, else: otherwise))
        }
        return constraints
    }

    /// Compiles `$defs` and the older `definitions` so that they are meta-validated and can be `$ref` targets.
    mutating func compileDefinitions(_ schema: SchemaObject) throws(JSONSchemaError) {
        for keyword in ["$defs", "definitions"] {
            _ = try compileSchemaMap(schema, keyword, describing: "names to schemas")
        }
    }

    /// Only same-document references are supported: "#" or "#" followed by a JSON Pointer. Fetching other
    /// documents would make a plugin's schema depend on the network, and anchors ("#name") are rare enough in
    /// parameter schemas not to be worth the machinery.
    private mutating func compileReference(_ schema: SchemaObject) throws(JSONSchemaError) -> Int? {
        guard let text = try schema.string("$ref") else { return nil }
        guard text.first == "#",
            let fragment = JSONPointer.percentDecode(text.dropFirst()),
            let target = JSONPointer.parse(fragment)
        else {
            throw schema.error(
                "$ref",
                "only local $ref (\"#\" or a JSON Pointer fragment such as \"#/$defs/name\") is supported, got "
                    + MessageFormatting.quoted(text))
        }
        return addReference(PendingReference(target: target, text: text, keywordPath: schema.path("$ref")))
    }
}
