import MimirCore

/// A compiled JSON Schema (a documented subset of draft 2020-12), ready to validate instances.
///
/// Compiling meta-validates the whole schema document, so a malformed schema is refused up front with the
/// location of the problem, instead of surfacing later as a confusing validation result. The compiled form is
/// immutable; one `JSONSchema` can validate from many threads at once.
///
/// Supported keywords: `type`, `enum`, `const`; `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`; `minLength`, `maxLength`, `pattern`; `properties`, `patternProperties`, `additionalProperties`,
/// `required`, `minProperties`, `maxProperties`, `propertyNames`, `dependentRequired`, `dependentSchemas`;
/// `prefixItems`, `items`, `minItems`, `maxItems`, `uniqueItems`, `contains`, `minContains`, `maxContains`;
/// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`; local `$ref` ("#" or "#/json/pointer") with `$defs` or
/// `definitions`. Annotations (`$schema`, `$id`, `$comment`, `$anchor`, `title`, `description`, `default`,
/// `examples`, `format`, `readOnly`, `writeOnly`, `deprecated`) are shape-checked and otherwise ignored, as are
/// unknown keywords. `unevaluatedProperties`, `unevaluatedItems`, `$dynamicRef` and `$recursiveRef` are refused,
/// because ignoring them would silently accept instances the schema meant to reject.
///
/// `$id` does not change how `$ref` resolves: every `$ref` is a pointer into this one document.
///
/// `anyOf`/`oneOf` branches are evaluated independently, without memoisation, so the cost grows with the number
/// of branches that recurse into the same value; that is fine for parameter-sized documents.
public struct JSONSchema: Sendable {
    /// The original schema document.
    public let document: JSONValue
    private let compiled: CompiledSchema

    /// Compiles and meta-validates a schema. Throws if the schema itself is invalid, naming the location inside
    /// the schema (JSON Pointer, e.g. "/properties/limit/minimum") and the problem
    /// (e.g. "\"minimum\" must be a number, got string").
    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        document = schema
        compiled = try SchemaCompiler.compile(schema)
    }

    /// Parses JSON text, then compiles it; a JSON syntax error becomes a `JSONSchemaError` at the schema root.
    public init(text: String) throws(JSONSchemaError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            throw JSONSchemaError(schemaPath: "", message: "invalid JSON: \(error.description)")
        }
        try self.init(document)
    }

    /// All violations (empty when valid), sorted by instance path (array indices numerically), then message.
    ///
    /// When no branch of an `anyOf`/`oneOf` matches, the result holds one violation for the keyword plus those of
    /// the branch that came closest, which is usually the one the instance's author meant.
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        var validator = Validator(schema: compiled)
        validator.validate(compiled.root, instance)
        var previous: PendingViolation?
        var result: [JSONSchemaViolation] = []
        // The same violation can arrive twice (e.g. two allOf branches with the same "required"); report it once.
        for violation in validator.violations.sorted(by: PendingViolation.precedes) where violation != previous {
            result.append(violation.publicViolation)
            previous = violation
        }
        return result
    }

    /// Whether `instance` is valid; cheaper than `validate` because it stops at the first violation.
    public func isValid(_ instance: JSONValue) -> Bool {
        var validator = Validator(schema: compiled, mode: .firstViolation)
        validator.validate(compiled.root, instance)
        return validator.violations.isEmpty
    }
}
