import MimirCore
import MimirJSONSchema
import Testing

@Suite("Meta-validation of schemas")
struct MetaValidationTests {
    /// A schema that must be refused, where, and (exactly) why.
    struct InvalidSchema: Sendable, CustomTestStringConvertible {
        let schema: String
        let path: String
        let message: String
        var testDescription: String { schema }
    }

    static let invalidSchemas: [InvalidSchema] = [
        .init(schema: "[]", path: "", message: "the schema must be a schema (an object or a boolean), got array"),
        .init(schema: "3", path: "", message: "the schema must be a schema (an object or a boolean), got integer"),
        .init(
            schema: #""string""#, path: "", message: "the schema must be a schema (an object or a boolean), got string"),
        .init(
            schema: #"{"properties": {"limit": {"minimum": "1"}}}"#, path: "/properties/limit/minimum",
            message: #""minimum" must be a number, got string"#),
        .init(schema: #"{"maximum": null}"#, path: "/maximum", message: #""maximum" must be a number, got null"#),
        .init(
            schema: #"{"exclusiveMinimum": true}"#, path: "/exclusiveMinimum",
            message:
                #""exclusiveMinimum" must be a number, got boolean (in draft 2020-12 it is the limit itself, e.g. "exclusiveMinimum": 0)"#
        ),
        .init(
            schema: #"{"required": "x"}"#, path: "/required",
            message: #""required" must be an array of strings, got string"#),
        .init(
            schema: #"{"required": ["a", 1]}"#, path: "/required/1",
            message: #""required" entries must be strings, got integer"#),
        .init(
            schema: #"{"required": ["a", "b", "a"]}"#, path: "/required/2",
            message: #""required" lists "a" more than once"#),
        .init(
            schema: #"{"type": "strnig"}"#, path: "/type",
            message: #"unknown type "strnig" (expected one of: array, boolean, integer, null, number, object, string)"#),
        .init(
            schema: #"{"type": ["string", "nul"]}"#, path: "/type/1",
            message: #"unknown type "nul" (expected one of: array, boolean, integer, null, number, object, string)"#),
        .init(
            schema: #"{"type": ["string", "string"]}"#, path: "/type/1",
            message: #""type" lists "string" more than once"#),
        .init(
            schema: #"{"type": []}"#, path: "/type",
            message: #""type" must be a type name or a non-empty array of type names, got an empty array"#),
        .init(
            schema: #"{"type": 5}"#, path: "/type",
            message: #""type" must be a type name or a non-empty array of type names, got integer"#),
        .init(
            schema: #"{"properties": []}"#, path: "/properties",
            message: #""properties" must be an object of property schemas, got array"#),
        .init(
            schema: #"{"properties": {"a": 1}}"#, path: "/properties/a",
            message: #"each "properties" value must be a schema (an object or a boolean), got integer"#),
        .init(
            schema: #"{"minLength": -1}"#, path: "/minLength",
            message: #""minLength" must be a non-negative integer, got -1"#),
        .init(
            schema: #"{"maxItems": 1.5}"#, path: "/maxItems",
            message: #""maxItems" must be a non-negative integer, got 1.5"#),
        .init(
            schema: #"{"minProperties": "2"}"#, path: "/minProperties",
            message: #""minProperties" must be a non-negative integer, got string"#),
        .init(
            schema: #"{"multipleOf": 0}"#, path: "/multipleOf", message: #""multipleOf" must be greater than 0, got 0"#),
        .init(
            schema: #"{"multipleOf": -0.5}"#, path: "/multipleOf",
            message: #""multipleOf" must be greater than 0, got -0.5"#),
        .init(schema: #"{"enum": "csv"}"#, path: "/enum", message: #""enum" must be an array, got string"#),
        .init(schema: #"{"enum": []}"#, path: "/enum", message: #""enum" must not be empty"#),
        .init(
            schema: #"{"uniqueItems": "yes"}"#, path: "/uniqueItems",
            message: #""uniqueItems" must be a boolean, got string"#),
        .init(
            schema: #"{"pattern": "([a-z"}"#, path: "/pattern",
            message: #"invalid regular expression "([a-z": expected ']'"#),
        .init(schema: #"{"pattern": 5}"#, path: "/pattern", message: #""pattern" must be a string, got integer"#),
        .init(
            schema: #"{"patternProperties": {"[": {}}}"#, path: "/patternProperties/[",
            message: #"invalid regular expression "[": expected custom character class members"#),
        .init(
            schema: #"{"items": [{"type": "string"}]}"#, path: "/items",
            message: #""items" must be a schema (an object or a boolean), got array; use "prefixItems" for tuples"#),
        .init(
            schema: #"{"additionalProperties": "no"}"#, path: "/additionalProperties",
            message: #""additionalProperties" must be a schema (an object or a boolean), got string"#),
        .init(
            schema: #"{"anyOf": []}"#, path: "/anyOf",
            message: #""anyOf" must be a non-empty array of schemas, got an empty array"#),
        .init(
            schema: #"{"oneOf": {}}"#, path: "/oneOf",
            message: #""oneOf" must be a non-empty array of schemas, got object"#),
        .init(
            schema: #"{"allOf": [{}, 3]}"#, path: "/allOf/1",
            message: #"each "allOf" entry must be a schema (an object or a boolean), got integer"#),
        .init(schema: #"{"$ref": 1}"#, path: "/$ref", message: #""$ref" must be a string, got integer"#),
        .init(
            schema: #"{"$defs": []}"#, path: "/$defs",
            message: #""$defs" must be an object of names to schemas, got array"#),
        .init(
            schema: #"{"dependentRequired": {"a": "b"}}"#, path: "/dependentRequired/a",
            message: #""dependentRequired" must be an array of strings, got string"#),
        .init(schema: #"{"title": 1}"#, path: "/title", message: #""title" must be a string, got integer"#),
        .init(
            schema: #"{"deprecated": "yes"}"#, path: "/deprecated",
            message: #""deprecated" must be a boolean, got string"#),
        .init(schema: #"{"examples": {}}"#, path: "/examples", message: #""examples" must be an array, got object"#),
        .init(
            schema: #"{"unevaluatedProperties": false}"#, path: "/unevaluatedProperties",
            message: #""unevaluatedProperties" is not supported by this validator; use "additionalProperties""#),
        .init(
            schema: ##"{"$dynamicRef": "#meta"}"##, path: "/$dynamicRef",
            message: #""$dynamicRef" is not supported by this validator; use a local "$ref""#),
        .init(
            schema: #"{"if": {}, "else": {"then": {"maxLength": -2}}}"#, path: "/else/then/maxLength",
            message: #""maxLength" must be a non-negative integer, got -2"#),
        .init(
            schema: #"{"contains": {}, "minContains": -1}"#, path: "/minContains",
            message: #""minContains" must be a non-negative integer, got -1"#),
    ]

    @Test(arguments: invalidSchemas)
    func invalidSchemaIsRefusedWithLocation(_ invalid: InvalidSchema) {
        let error = compileError(invalid.schema)
        #expect(error?.schemaPath == invalid.path)
        #expect(error?.message == invalid.message)
    }

    @Test func errorDescriptionNamesTheLocation() {
        let nested = JSONSchemaError(schemaPath: "/properties/x", message: "bad")
        #expect(nested.description == "schema at /properties/x: bad")
        #expect(JSONSchemaError(schemaPath: "", message: "bad").description == "schema root: bad")
        #expect(
            compileError(#"{"properties": {"limit": {"minimum": "1"}}}"#)?.description
                == #"schema at /properties/limit/minimum: "minimum" must be a number, got string"#)
    }

    @Test func invalidJSONTextIsASchemaErrorAtTheRoot() {
        let error = compileError(#"{"type": "string""#)
        #expect(error?.schemaPath == "")
        #expect(error?.message.hasPrefix("invalid JSON: ") == true)
    }

    @Test func typedInitThrowsJSONSchemaError() {
        #expect(
            throws: JSONSchemaError(
                schemaPath: "/minLength", message: #""minLength" must be a non-negative integer, got -1"#)
        ) {
            try JSONSchema(["minLength": -1])
        }
    }

    @Test func acceptsAnnotationsUnknownKeywordsAndWholeNumberCounts() throws {
        let schema = try JSONSchema(
            text: #"""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:mimir:test",
                 "$comment": "c", "title": "t", "description": "d", "default": {"a": 1}, "examples": [1],
                 "format": "email", "readOnly": true, "writeOnly": false, "deprecated": false,
                 "x-ui-widget": "slider", "minLenght": "typo is just an unknown keyword",
                 "minLength": 2.0, "maxItems": 1e300}
                """#)
        // "format" is an annotation only.
        #expect(schema.validate("not an email") == [])
        #expect(schema.validate("a").map(\.message) == ["must be at least 2 characters long, got 1"])
    }

    @Test func documentIsTheOriginalSchema() throws {
        let document: JSONValue = ["type": "integer", "minimum": 1]
        #expect(try JSONSchema(document).document == document)
    }

    @Test func errorReportedIsDeterministic() {
        let text = #"{"required": 1, "minimum": "x", "properties": 3, "type": "no"}"#
        let errors = (0..<5).map { _ in compileError(text) }
        #expect(Set(errors.map { $0?.schemaPath }).count == 1)
        #expect(errors.first??.schemaPath == "/type")
    }
}
