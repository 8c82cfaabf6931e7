import MimirCore
import MimirJSONSchema
import Testing

@Suite("Violation values")
struct ViolationTests {
    @Test func descriptionUsesRootMarkerForEmptyPath() {
        #expect(JSONSchemaViolation(instancePath: "", keyword: "type", message: "m").description == "(root): m")
        #expect(JSONSchemaViolation(instancePath: "/a/0", keyword: "type", message: "m").description == "/a/0: m")
    }

    @Test func orderIsByPathThenMessage() throws {
        let schema = #"""
            {"properties": {"b": {"type": "string"}, "a": {"type": "string", "minLength": 5}},
             "required": ["z", "c"]}
            """#
        #expect(
            try check(schema, #"{"b": 1, "a": 2}"#) == [
                #"(root): missing required property "c""#,
                #"(root): missing required property "z""#,
                "/a: must be of type string, got integer",
                "/b: must be of type string, got integer",
            ])
    }

    @Test func sameResultEveryTime() throws {
        let schema = try compile(#"{"additionalProperties": {"type": "integer"}, "propertyNames": {"maxLength": 1}}"#)
        let instance: JSONValue = ["aa": "x", "b": "y", "cc": 1, "d": 2.5]
        let first = schema.validate(instance)
        #expect(first.count == 5)
        for _ in 0..<10 {
            #expect(schema.validate(instance) == first)
        }
    }
}
