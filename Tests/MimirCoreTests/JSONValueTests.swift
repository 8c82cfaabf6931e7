import Foundation
import MimirCore
import Testing

@Suite("JSON values")
struct JSONValueTests {
    @Test("parse keeps integers exact and numbers as doubles")
    func numbers() throws {
        let value = try JSONValue.parse(#"{"big": 9007199254740993, "pi": 3.25, "neg": -4, "exp": 1e3}"#)
        #expect(value["big"] == .integer(9_007_199_254_740_993))
        #expect(value["pi"] == .number(3.25))
        #expect(value["neg"] == .integer(-4))
        #expect(value["exp"]?.doubleValue == 1000)
    }

    @Test("round trip through text is stable with sorted keys")
    func roundTrip() throws {
        let value: JSONValue = ["b": [1, 2.5, "x", nil, true], "a": ["nested": [:]]]
        let text = value.jsonText()
        #expect(text == #"{"a":{"nested":{}},"b":[1,2.5,"x",null,true]}"#)
        #expect(try JSONValue.parse(text) == value)
    }

    @Test("a syntax error says where")
    func syntaxError() {
        #expect(throws: JSONSyntaxError(message: "unexpected token near '}'", line: 2, column: 7, position: 16)) {
            _ = try JSONValue.parse("{\"a\": 1,\n \"b\": }")
        }
    }

    @Test(
        "parsing is strict RFC 8259",
        arguments: ["{\"a\": 1,}", "[1, 2,]", "{'a': 1}", "NaN", "[1] x", "{\"a\": 1, \"a\": 2}", ""])
    func strict(text: String) {
        #expect(throws: JSONSyntaxError.self) { _ = try JSONValue.parse(text) }
    }

    @Test("any value may stand at the top level, and strings keep NUL and non-ASCII text")
    func topLevelAndStrings() throws {
        #expect(try JSONValue.parse("42") == 42)
        #expect(try JSONValue.parse("\"a\\u0000b\"") == .string("a\u{0}b"))
        #expect(try JSONValue.parse("\"caf\u{e9} \u{1F600}\"") == .string("caf\u{e9} \u{1F600}"))
    }

    @Test("typeName follows JSON Schema's names")
    func typeNames() {
        #expect(JSONValue.integer(3).typeName == "integer")
        #expect(JSONValue.number(3.0).typeName == "integer")
        #expect(JSONValue.number(3.5).typeName == "number")
        #expect(JSONValue.null.typeName == "null")
        #expect(JSONValue.object([:]).typeName == "object")
    }

    @Test("decoding errors name the field")
    func decodingErrors() throws {
        let decoder = JSONDecoder()
        do {
            _ = try decoder.decode(
                JobSpec.self, from: Data(#"{"type": "x", "task_spec": {"timeout_seconds": "soon"}}"#.utf8))
            Issue.record("decoding should fail")
        } catch let error as DecodingError {
            #expect(error.fieldDescription.hasPrefix("task_spec.timeout_seconds: expected a number"))
        }
        do {
            _ = try decoder.decode(JobSpec.self, from: Data(#"{"priority": 1}"#.utf8))
            Issue.record("decoding should fail")
        } catch let error as DecodingError {
            #expect(error.fieldDescription == "type: required field is missing")
        }
    }
}
