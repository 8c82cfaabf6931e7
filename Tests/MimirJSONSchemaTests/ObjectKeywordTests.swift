import MimirCore
import MimirJSONSchema
import Testing

@Suite("Object keywords")
struct ObjectKeywordTests {
    @Test func propertiesValidateOnlyPresentMembers() throws {
        let schema = #"{"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}"#
        #expect(try check(schema, #"{"a": "x"}"#) == [])
        #expect(
            try check(schema, #"{"a": 1, "b": "y", "c": null}"#) == [
                "/a: must be of type string, got integer",
                "/b: must be of type integer, got string",
            ])
        // Not an object: properties does not apply.
        #expect(try check(schema, "[1]") == [])
    }

    @Test func requiredReportsEachMissingPropertyAtTheObject() throws {
        let schema = try compile(#"{"required": ["target", "source"]}"#)
        #expect(schema.validate(["target": 1, "source": 2]) == [])
        #expect(
            schema.validate(["other": 1]) == [
                JSONSchemaViolation(
                    instancePath: "", keyword: "required", message: #"missing required property "source""#),
                JSONSchemaViolation(
                    instancePath: "", keyword: "required", message: #"missing required property "target""#),
            ])
        // A present null satisfies required.
        #expect(schema.validate(["target": nil, "source": nil]) == [])
    }

    @Test func requiredInsideNestedObjectNamesItsPath() throws {
        let schema = #"{"properties": {"output": {"required": ["target"]}}}"#
        #expect(try check(schema, #"{"output": {}}"#) == [#"/output: missing required property "target""#])
    }

    @Test func additionalPropertiesFalseListsAllowedNames() throws {
        let schema = #"{"properties": {"size": {}, "color": {}}, "additionalProperties": false}"#
        #expect(try check(schema, #"{"size": 1, "color": "red"}"#) == [])
        #expect(
            try check(schema, #"{"colour": "red", "size": 1, "weight": 3}"#) == [
                #"(root): unexpected property "colour" (allowed: color, size)"#,
                #"(root): unexpected property "weight" (allowed: color, size)"#,
            ])
        let keyword = try compile(schema).validate(["x": 1]).first?.keyword
        #expect(keyword == "additionalProperties")
    }

    @Test func additionalPropertiesFalseWithoutProperties() throws {
        #expect(try check(#"{"additionalProperties": false}"#, "{}") == [])
        #expect(
            try check(#"{"additionalProperties": false}"#, #"{"a": 1}"#) == [
                #"(root): unexpected property "a" (no properties are allowed)"#
            ])
    }

    @Test func additionalPropertiesSchemaValidatesExtraMembers() throws {
        let schema = #"{"properties": {"name": {"type": "string"}}, "additionalProperties": {"type": "number"}}"#
        #expect(try check(schema, #"{"name": "n", "x": 1, "y": 2.5}"#) == [])
        #expect(try check(schema, #"{"name": "n", "x": "one"}"#) == ["/x: must be of type number, got string"])
    }

    @Test func patternPropertiesApplyToMatchingNames() throws {
        let schema = #"""
            {"properties": {"name": {}}, "patternProperties": {"^x-": {"type": "string"}},
             "additionalProperties": false}
            """#
        #expect(try check(schema, #"{"name": 1, "x-team": "data"}"#) == [])
        #expect(
            try check(schema, #"{"x-team": 5, "other": true}"#) == [
                #"(root): unexpected property "other" (allowed: name or names matching ^x-)"#,
                "/x-team: must be of type string, got integer",
            ])
    }

    @Test func minAndMaxProperties() throws {
        #expect(try check(#"{"minProperties": 1}"#, #"{"a": 1}"#) == [])
        #expect(try check(#"{"minProperties": 2}"#, #"{"a": 1}"#) == ["(root): must have at least 2 properties, got 1"])
        #expect(
            try check(#"{"maxProperties": 1}"#, #"{"a": 1, "b": 2}"#) == [
                "(root): must have at most 1 property, got 2"
            ])
        #expect(try check(#"{"maxProperties": 0}"#, "[1, 2]") == [])
    }

    @Test func propertyNamesAreReportedAtTheObject() throws {
        let schema = #"{"propertyNames": {"pattern": "^[a-z_]+$", "maxLength": 8}}"#
        #expect(try check(schema, #"{"snake_ok": 1}"#) == [])
        #expect(
            try check(schema, #"{"Bad": 1, "much_too_long": 2}"#) == [
                #"(root): property name "Bad" must match pattern ^[a-z_]+$, got "Bad""#,
                #"(root): property name "much_too_long" must be at most 8 characters long, got 13"#,
            ])
    }

    @Test func dependentRequired() throws {
        let schema = #"{"dependentRequired": {"username": ["password"]}}"#
        #expect(try check(schema, "{}") == [])
        #expect(try check(schema, #"{"username": "u", "password": "p"}"#) == [])
        #expect(
            try check(schema, #"{"username": "u"}"#) == [
                #"(root): missing property "password", required when "username" is present"#
            ])
    }

    @Test func dependentSchemasApplyToTheWholeObject() throws {
        let schema = #"{"dependentSchemas": {"compress": {"required": ["level"]}}}"#
        #expect(try check(schema, #"{"other": 1}"#) == [])
        #expect(try check(schema, #"{"compress": true}"#) == [#"(root): missing required property "level""#])
    }

    @Test func propertyNamesNeedingEscapesAppearEscapedInPaths() throws {
        let schema = try compile(#"{"properties": {"a/b": {"type": "string"}, "m~n": {"type": "string"}}}"#)
        #expect(schema.validate(["a/b": 1, "m~n": 2]).map(\.instancePath) == ["/a~1b", "/m~0n"])
    }
}
