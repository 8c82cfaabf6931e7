import MimirCore
import MimirJSONSchema
import Testing

@Suite("type, enum and const")
struct GeneralKeywordTests {
    @Test func typeAcceptsMatchingValue() throws {
        #expect(try check(#"{"type": "string"}"#, #""hello""#) == [])
        #expect(try check(#"{"type": "object"}"#, "{}") == [])
        #expect(try check(#"{"type": "array"}"#, "[]") == [])
        #expect(try check(#"{"type": "boolean"}"#, "false") == [])
        #expect(try check(#"{"type": "null"}"#, "null") == [])
    }

    @Test func typeMismatchNamesExpectedAndActualType() throws {
        let schema = try compile(#"{"type": "object", "properties": {"limit": {"type": "integer"}}}"#)
        let violations = schema.validate(["limit": "ten"])
        #expect(
            violations == [
                JSONSchemaViolation(
                    instancePath: "/limit", keyword: "type", message: "must be of type integer, got string")
            ])
        #expect(violations.first?.description == "/limit: must be of type integer, got string")
    }

    @Test func typeListAcceptsAnyListedType() throws {
        let schema = #"{"type": ["string", "null"]}"#
        #expect(try check(schema, "null") == [])
        #expect(try check(schema, #""x""#) == [])
        #expect(try check(schema, "1") == ["(root): must be of type string or null, got integer"])
        #expect(
            try check(#"{"type": ["string", "null", "boolean"]}"#, "[]") == [
                "(root): must be of type string, null or boolean, got array"
            ])
    }

    @Test func wholeNumbersAreIntegersEvenWhenWrittenWithAFraction() throws {
        let schema = try compile(#"{"type": "integer"}"#)
        #expect(schema.validate(.integer(3)) == [])
        #expect(schema.validate(.number(3.0)) == [])
        #expect(schema.validate(try JSONValue.parse("3.0")) == [])
        #expect(schema.validate(.number(-0.0)) == [])
        #expect(schema.validate(.number(3.5)).map(\.description) == ["(root): must be of type integer, got number"])
        #expect(schema.validate(.string("3")).map(\.description) == ["(root): must be of type integer, got string"])
    }

    @Test func numberAcceptsIntegersAndFractions() throws {
        let schema = try compile(#"{"type": "number"}"#)
        #expect(schema.validate(.integer(3)) == [])
        #expect(schema.validate(.number(3.5)) == [])
        #expect(schema.validate(.bool(true)).map(\.description) == ["(root): must be of type number, got boolean"])
    }

    @Test func enumListsAllowedValues() throws {
        let schema = #"{"enum": ["csv", "jsonl"]}"#
        #expect(try check(schema, #""csv""#) == [])
        #expect(try check(schema, #""xml""#) == [#"(root): must be one of ["csv", "jsonl"], got "xml""#])
        let violation = try compile(schema).validate("xml").first
        #expect(violation?.keyword == "enum")
    }

    @Test func enumComparesNumbersByValueAndStructuresDeeply() throws {
        let schema = try compile(#"{"enum": [1, [1, {"a": 2}], null]}"#)
        #expect(schema.validate(.number(1.0)) == [])
        #expect(schema.validate([.number(1.0), ["a": .number(2.0)]]) == [])
        #expect(schema.validate(.null) == [])
        #expect(
            schema.validate([1, ["a": 3]]).map(\.description) == [
                #"(root): must be one of [1, [1,{"a":2}], null], got [1,{"a":3}]"#
            ])
        // true is not 1, and "1" is not 1.
        #expect(schema.validate(true).count == 1)
        #expect(schema.validate("1").count == 1)
    }

    @Test func constRequiresEqualValue() throws {
        #expect(try check(#"{"const": "select"}"#, #""select""#) == [])
        #expect(try check(#"{"const": "select"}"#, #""filter""#) == [#"(root): must be "select", got "filter""#])
        #expect(try check(#"{"const": 2}"#, "2.0") == [])
        #expect(
            try check(#"{"const": {"a": [1, 2]}}"#, #"{"a": [2, 1]}"#) == [
                #"(root): must be {"a":[1,2]}, got {"a":[2,1]}"#
            ])
        #expect(try check(#"{"const": null}"#, "null") == [])
        #expect(try check(#"{"const": false}"#, "0") == ["(root): must be false, got 0"])
    }

    @Test func longEnumIsCutShortInMessages() throws {
        let values = (1...12).map(String.init).joined(separator: ", ")
        #expect(
            try check("{\"enum\": [\(values)]}", "13") == [
                "(root): must be one of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... (2 more)], got 13"
            ])
        #expect(try check("{\"enum\": [\(values)]}", "12") == [])
    }

    @Test func longValuesAreShortenedInMessages() throws {
        let long = String(repeating: "a", count: 100)
        let message = try check(#"{"const": "b"}"#, "\"\(long)\"").first ?? ""
        #expect(message == #"(root): must be "b", got ""# + String(repeating: "a", count: 56) + "...")
    }
}
