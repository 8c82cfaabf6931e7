import MimirCore
import MimirJSONSchema
import Testing

@Suite("Boolean schemas")
struct BooleanSchemaTests {
    @Test(arguments: [JSONValue.null, true, 0, 1.5, "s", [1], ["a": 1]])
    func trueAcceptsEverything(instance: JSONValue) throws {
        #expect(try JSONSchema(true).validate(instance) == [])
        #expect(try JSONSchema(text: "true").isValid(instance))
    }

    @Test(arguments: [JSONValue.null, true, 0, 1.5, "s", [1], ["a": 1]])
    func falseRejectsEverything(instance: JSONValue) throws {
        #expect(
            try JSONSchema(false).validate(instance) == [
                JSONSchemaViolation(
                    instancePath: "", keyword: "false", message: "no value is allowed here (the schema is false)")
            ])
    }

    @Test func booleanSubschemas() throws {
        let schema = #"{"properties": {"keep": true, "legacy": false}}"#
        #expect(try check(schema, #"{"keep": [1, {}]}"#) == [])
        #expect(try check(schema, #"{"legacy": 1}"#) == ["/legacy: no value is allowed here (the schema is false)"])
    }

    @Test func emptyObjectSchemaAcceptsEverything() throws {
        #expect(try check("{}", #"{"anything": [1, 2, null]}"#) == [])
    }
}
