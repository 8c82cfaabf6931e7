import MimirCore

/// Compilation of the keywords that look inside objects and arrays.
extension SchemaCompiler {
    mutating func compileObjectKeywords(_ schema: SchemaObject) throws(JSONSchemaError) -> [ObjectConstraint] {
        var constraints: [ObjectConstraint] = []
        let properties = try compileSchemaMap(schema, "properties", describing: "property schemas")
        if let properties {
            constraints.append(.properties(properties))
        }
        var patternProperties: [(PatternMatcher, NodeID)] = []
        if let members = try schema.object("patternProperties", of: "regular expressions to schemas") {
            for (source, value) in members.sorted(by: { $0.key < $1.key }) {
                let path = schema.path("patternProperties", source)
                let matcher = try SchemaObject.pattern(source, at: path)
                let role = "each \"patternProperties\" value"
                patternProperties.append((matcher, try compileSchema(value, at: path, role: role)))
            }
            constraints.append(.patternProperties(patternProperties))
        }
        if let additional = try compileSubschema(schema, "additionalProperties") {
            constraints.append(
                .additionalProperties(
                    additional, declared: Set(properties?.map(\.name) ?? []), patterns: patternProperties.map(\.0)))
        }
        if let value = schema.members["required"] {
            let names = try SchemaObject.distinctStrings(value, at: schema.path("required"), keyword: "required")
            constraints.append(.required(names))
        }
        if let count = try schema.count("minProperties") {
            constraints.append(.minProperties(count))
        }
        if let count = try schema.count("maxProperties") {
            constraints.append(.maxProperties(count))
        }
        if let names = try compileSubschema(schema, "propertyNames") {
            constraints.append(.propertyNames(names))
        }
        if let members = try schema.object("dependentRequired", of: "property names to arrays of property names") {
            var dependencies: [(property: String, requires: [String])] = []
            for (property, value) in members.sorted(by: { $0.key < $1.key }) {
                let path = schema.path("dependentRequired", property)
                let required = try SchemaObject.distinctStrings(value, at: path, keyword: "dependentRequired")
                dependencies.append((property, required))
            }
            constraints.append(.dependentRequired(dependencies))
        }
        if let dependents = try compileSchemaMap(schema, "dependentSchemas", describing: "property names to schemas") {
            constraints.append(.dependentSchemas(dependents.map { (property: $0.name, schema: $0.schema) }))
        }
        return constraints
    }

    mutating func compileArrayKeywords(_ schema: SchemaObject) throws(JSONSchemaError) -> [ArrayConstraint] {
        var constraints: [ArrayConstraint] = []
        let prefix = try compileSchemaArray(schema, "prefixItems")
        if let prefix {
            constraints.append(.prefixItems(prefix))
        }
        if case .array = schema.members["items"] {
            // Drafts up to 2019-09 wrote tuples as an "items" array; say where that moved.
            throw schema.error(
                "items",
                "\"items\" must be a schema (an object or a boolean), got array; use \"prefixItems\" for tuples")
        }
        if let items = try compileSubschema(schema, "items") {
            constraints.append(.items(items, startIndex: prefix?.count ?? 0))
        }
        if let count = try schema.count("minItems") {
            constraints.append(.minItems(count))
        }
        if let count = try schema.count("maxItems") {
            constraints.append(.maxItems(count))
        }
        if try schema.boolean("uniqueItems") == true {
            constraints.append(.uniqueItems)
        }
        // Checked even without "contains", where they mean nothing but may still be malformed.
        let minimum = try schema.count("minContains")
        let maximum = try schema.count("maxContains")
        if let contains = try compileSubschema(schema, "contains") {
            constraints.append(.contains(contains, minimum: minimum ?? 1, maximum: maximum))
        }
        return constraints
    }

    /// A keyword whose value is one subschema.
    mutating func compileSubschema(_ schema: SchemaObject, _ keyword: String) throws(JSONSchemaError) -> NodeID? {
        guard let value = schema.members[keyword] else { return nil }
        return try compileSchema(value, at: schema.path(keyword), role: "\"\(keyword)\"")
    }

    /// A keyword whose value is a non-empty array of subschemas (`allOf`, `prefixItems`, ...).
    mutating func compileSchemaArray(_ schema: SchemaObject, _ keyword: String) throws(JSONSchemaError) -> [NodeID]? {
        guard let value = schema.members[keyword] else { return nil }
        guard case .array(let elements) = value, !elements.isEmpty else {
            let got = value.arrayValue != nil ? "an empty array" : value.typeName
            throw schema.error(keyword, "\"\(keyword)\" must be a non-empty array of schemas, got \(got)")
        }
        var ids: [NodeID] = []
        for (index, element) in elements.enumerated() {
            ids.append(
                try compileSchema(element, at: schema.path(keyword, String(index)), role: "each \"\(keyword)\" entry"))
        }
        return ids
    }

    /// A keyword whose value maps names to subschemas (`properties`, `$defs`, ...), compiled in name order.
    mutating func compileSchemaMap(_ schema: SchemaObject, _ keyword: String, describing contents: String)
        throws(JSONSchemaError) -> [(name: String, schema: NodeID)]?
    {
        guard let members = try schema.object(keyword, of: contents) else { return nil }
        var compiled: [(name: String, schema: NodeID)] = []
        let role = "each \"\(keyword)\" value"
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            compiled.append((name, try compileSchema(value, at: schema.path(keyword, name), role: role)))
        }
        return compiled
    }
}
