import MimirCore

/// Which keywords this validator understands, and the compilation of the ones that apply to any instance,
/// numbers and strings. Object, array and applicator keywords live in their own files.
extension SchemaCompiler {
    /// Keywords that carry no validation meaning; only the shape the meta-schema gives them is checked.
    static let stringAnnotations = [
        "$schema", "$id", "$comment", "$anchor", "$dynamicAnchor", "title", "description", "format",
    ]
    static let booleanAnnotations = ["readOnly", "writeOnly", "deprecated"]

    /// Draft 2020-12 keywords this validator does not implement. Ignoring them like unknown keywords would
    /// accept instances the schema's author meant to refuse, so a schema using them is refused instead.
    static let unsupportedKeywords: [String: String] = [
        "unevaluatedProperties": "use \"additionalProperties\"",
        "unevaluatedItems": "use \"items\"",
        "$dynamicRef": "use a local \"$ref\"",
        "$recursiveRef": "use a local \"$ref\"",
    ]

    mutating func compileKeywords(_ schema: SchemaObject) throws(JSONSchemaError) -> [Constraint] {
        for keyword in schema.members.keys.sorted() {
            if let advice = Self.unsupportedKeywords[keyword] {
                throw schema.error(keyword, "\"\(keyword)\" is not supported by this validator; \(advice)")
            }
        }
        for keyword in Self.stringAnnotations { _ = try schema.string(keyword) }
        for keyword in Self.booleanAnnotations { _ = try schema.boolean(keyword) }
        _ = try schema.array("examples")

        // "type" first: when only validity matters, it is the cheapest check and the most likely to fail.
        var constraints = try Self.compileGeneralKeywords(schema).map(Constraint.value)
        constraints += try Self.compileNumberKeywords(schema).map(Constraint.value)
        constraints += try Self.compileStringKeywords(schema).map(Constraint.value)
        constraints += try compileObjectKeywords(schema).map(Constraint.object)
        constraints += try compileArrayKeywords(schema).map(Constraint.array)
        constraints += try compileApplicators(schema).map(Constraint.applicator)
        try compileDefinitions(schema)
        return constraints
    }

    /// `type`, `enum` and `const`.
    private static func compileGeneralKeywords(_ schema: SchemaObject) throws(JSONSchemaError) -> [ValueConstraint] {
        var constraints: [ValueConstraint] = []
        if let types = try compileType(schema) {
            constraints.append(.type(types))
        }
        if let values = try schema.array("enum") {
            // An empty enum accepts nothing, which is never what a parameter schema means.
            guard !values.isEmpty else { throw schema.error("enum", "\"enum\" must not be empty") }
            constraints.append(.enumeration(values: Set(values.map(\.canonicalForEquality)), original: values))
        }
        if let value = schema.members["const"] {
            constraints.append(.constant(value: value.canonicalForEquality, original: value))
        }
        return constraints
    }

    private static func compileType(_ schema: SchemaObject) throws(JSONSchemaError) -> [JSONType]? {
        guard let value = schema.members["type"] else { return nil }
        switch value {
        case .string(let name):
            return [try typeNamed(name, at: schema.path("type"))]
        case .array(let names) where !names.isEmpty:
            var types: [JSONType] = []
            for (index, nameValue) in names.enumerated() {
                let path = schema.path("type", String(index))
                guard case .string(let name) = nameValue else {
                    throw SchemaCompiler.error(at: path, "\"type\" entries must be strings, got \(nameValue.typeName)")
                }
                let type = try typeNamed(name, at: path)
                guard !types.contains(type) else {
                    throw SchemaCompiler.error(at: path, "\"type\" lists \"\(name)\" more than once")
                }
                types.append(type)
            }
            return types
        default:
            let got = value.arrayValue != nil ? "an empty array" : value.typeName
            throw schema.error("type", "\"type\" must be a type name or a non-empty array of type names, got \(got)")
        }
    }

    private static func typeNamed(_ name: String, at path: [String]) throws(JSONSchemaError) -> JSONType {
        guard let type = JSONType(rawValue: name) else {
            let known = JSONType.allCases.map(\.rawValue).sorted().joined(separator: ", ")
            throw SchemaCompiler.error(
                at: path, "unknown type \(MessageFormatting.quoted(name)) (expected one of: \(known))")
        }
        return type
    }

    private static func compileNumberKeywords(_ schema: SchemaObject) throws(JSONSchemaError) -> [ValueConstraint] {
        // Draft 4 spelled exclusive limits as booleans beside minimum/maximum; say so, since that is the usual cause.
        let draft4Hint = " (in draft 2020-12 it is the limit itself, e.g. \"exclusiveMinimum\": 0)"
        var constraints: [ValueConstraint] = []
        if let limit = try schema.number("minimum") {
            constraints.append(.minimum(limit, exclusive: false))
        }
        if let limit = try schema.number("exclusiveMinimum", hint: draft4Hint) {
            constraints.append(.minimum(limit, exclusive: true))
        }
        if let limit = try schema.number("maximum") {
            constraints.append(.maximum(limit, exclusive: false))
        }
        if let limit = try schema.number("exclusiveMaximum", hint: draft4Hint) {
            constraints.append(.maximum(limit, exclusive: true))
        }
        if let divisor = try schema.number("multipleOf") {
            guard divisor.isPositive else {
                throw schema.error("multipleOf", "\"multipleOf\" must be greater than 0, got \(divisor.text)")
            }
            constraints.append(.multipleOf(divisor))
        }
        return constraints
    }

    private static func compileStringKeywords(_ schema: SchemaObject) throws(JSONSchemaError) -> [ValueConstraint] {
        var constraints: [ValueConstraint] = []
        if let length = try schema.count("minLength") {
            constraints.append(.minLength(length))
        }
        if let length = try schema.count("maxLength") {
            constraints.append(.maxLength(length))
        }
        if let source = try schema.string("pattern") {
            constraints.append(.pattern(try SchemaObject.pattern(source, at: schema.path("pattern"))))
        }
        return constraints
    }
}
