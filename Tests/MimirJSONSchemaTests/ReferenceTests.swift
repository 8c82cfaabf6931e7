import MimirCore
import MimirJSONSchema
import Testing

@Suite("$ref, $defs and definitions")
struct ReferenceTests {
    @Test func refToDefs() throws {
        let schema = #"""
            {"$defs": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
             "properties": {"port": {"$ref": "#/$defs/port"}}}
            """#
        #expect(try check(schema, #"{"port": 8080}"#) == [])
        #expect(try check(schema, #"{"port": 0}"#) == ["/port: must be >= 1, got 0"])
    }

    @Test func refToLegacyDefinitions() throws {
        let schema = ##"{"definitions": {"name": {"type": "string"}}, "items": {"$ref": "#/definitions/name"}}"##
        #expect(try check(schema, #"["a", 2]"#) == ["/1: must be of type string, got integer"])
    }

    @Test func refAppliesAlongsideSiblingKeywords() throws {
        let schema = ##"{"$defs": {"n": {"type": "integer"}}, "$ref": "#/$defs/n", "maximum": 5}"##
        #expect(
            try check(schema, "6.5") == [
                "(root): must be <= 5, got 6.5", "(root): must be of type integer, got number",
            ])
    }

    @Test func refToRootDescribesARecursiveTree() throws {
        let schema = #"""
            {"type": "object",
             "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}},
             "required": ["name"], "additionalProperties": false}
            """#
        let tree = #"""
            {"name": "root", "children": [
                {"name": "a", "children": [{"name": "a1"}, {"name": "a2", "children": []}]},
                {"name": "b"}]}
            """#
        #expect(try check(schema, tree) == [])
        let broken = #"{"name": "root", "children": [{"name": "a", "children": [{"nam": "typo"}]}, {"name": 3}]}"#
        #expect(
            try check(schema, broken) == [
                #"/children/0/children/0: missing required property "name""#,
                #"/children/0/children/0: unexpected property "nam" (allowed: children, name)"#,
                "/children/1/name: must be of type string, got integer",
            ])
    }

    @Test func mutuallyRecursiveDefinitions() throws {
        let schema = #"""
            {"$ref": "#/$defs/expr",
             "$defs": {
                "expr": {"oneOf": [{"type": "number"}, {"$ref": "#/$defs/sum"}]},
                "sum": {"type": "object", "properties": {"add": {"type": "array", "items": {"$ref": "#/$defs/expr"}}},
                        "required": ["add"]}}}
            """#
        #expect(try check(schema, #"{"add": [1, {"add": [2, 3]}, 4]}"#) == [])
        let violations = try check(schema, #"{"add": [1, {"add": [2, "three"]}]}"#)
        #expect(
            violations.contains("/add/1/add/1: must match exactly one schema in oneOf, matched 0 (closest: oneOf/0)"))
    }

    @Test func failureDeepInsideNestedOneOfIsTracedToTheLeaf() throws {
        let schema = try compile(
            ##"""
            {"$defs": {"node": {"oneOf": [
                {"type": "object", "properties": {"left": {"$ref": "#/$defs/node"}}, "required": ["left"]},
                {"type": "object", "properties": {"right": {"$ref": "#/$defs/node"}}, "required": ["right"]},
                {"type": "integer"}]}},
             "$ref": "#/$defs/node"}
            """##)
        var instance: JSONValue = "leaf"
        for _ in 0..<40 { instance = ["left": instance] }
        let violations = schema.validate(instance)
        let leafPath = String(repeating: "/left", count: 40)
        // One oneOf summary per level (the root and 40 nested), then the leaf's own problem. Every branch has the
        // wrong type for a string, so the first branch is the closest.
        #expect(violations.count == 41 + 1)
        #expect(
            violations.suffix(2).map(\.description) == [
                "\(leafPath): must be of type object, got string",
                "\(leafPath): must match exactly one schema in oneOf, matched 0 (closest: oneOf/0)",
            ])
    }

    @Test func deepRecursiveInstanceDoesNotCrash() throws {
        let schema = try compile(##"{"type": "array", "items": {"$ref": "#"}}"##)
        var instance: JSONValue = []
        for _ in 0..<100 { instance = [instance] }
        #expect(schema.validate(instance) == [])
        for _ in 0..<400 { instance = [instance] }
        let violations = schema.validate(instance)
        #expect(violations.count == 1)
        #expect(violations.first?.keyword == "depth")
    }

    @Test func refWithEscapedPointerTokens() throws {
        let schema = #"""
            {"$defs": {"a/b": {"type": "string"}, "c d": {"type": "integer"}, "t~": {"const": 1}},
             "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c%20d"}, "z": {"$ref": "#/$defs/t~0"}}}
            """#
        #expect(
            try check(schema, #"{"x": 1, "y": "s", "z": 2}"#) == [
                "/x: must be of type string, got integer",
                "/y: must be of type integer, got string",
                "/z: must be 1, got 2",
            ])
    }

    @Test func refToAnotherSubschemaByPointer() throws {
        let schema = ##"{"properties": {"a": {"type": "string"}, "b": {"$ref": "#/properties/a"}}}"##
        #expect(try check(schema, #"{"b": 1}"#) == ["/b: must be of type string, got integer"])
    }

    @Test(arguments: [
        "https://example.com/schema.json", "other.json#/$defs/a", "#anchor", "#/$defs/a~2b",
    ])
    func nonLocalRefIsASchemaError(reference: String) {
        let error = compileError(#"{"$defs": {"a": {}}, "properties": {"p": {"$ref": "\#(reference)"}}}"#)
        #expect(error?.schemaPath == "/properties/p/$ref")
        #expect(error?.message.hasPrefix("only local $ref") == true)
    }

    @Test func refToMissingDefinition() {
        let error = compileError(##"{"items": {"$ref": "#/$defs/missing"}}"##)
        #expect(error?.schemaPath == "/items/$ref")
        #expect(error?.message == ##"$ref "#/$defs/missing" points to nothing in this document"##)
    }

    @Test func refToSomethingThatIsNotASchema() {
        let error = compileError(##"{"properties": {"a": {"$ref": "#/properties"}}}"##)
        #expect(error?.schemaPath == "/properties/a/$ref")
        #expect(error?.message.contains("not a subschema") == true)
    }

    @Test func refLoopThatNeverDescendsIsRefused() {
        let selfLoop = compileError(##"{"$ref": "#"}"##)
        #expect(selfLoop?.schemaPath == "/$ref")
        #expect(selfLoop?.message.hasSuffix("validation could not end: # -> #") == true)

        let mutual = compileError(
            #"""
            {"properties": {"p": {"$ref": "#/$defs/a"}},
             "$defs": {"a": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/b"}]}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}}
            """#)
        #expect(mutual?.schemaPath == "/$defs/b/allOf/0/$ref")
        #expect(
            mutual?.message.hasSuffix("#/$defs/a -> #/$defs/a/anyOf/1 -> #/$defs/b -> #/$defs/b/allOf/0 -> #/$defs/a")
                == true)
    }

    @Test func unusedDefinitionsAreStillMetaValidated() {
        let error = compileError(#"{"$defs": {"unused": {"minimum": "1"}}}"#)
        #expect(error?.schemaPath == "/$defs/unused/minimum")
    }
}
