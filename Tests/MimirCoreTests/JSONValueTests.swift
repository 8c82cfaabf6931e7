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

@Suite("JSON writer")
struct JSONWriterTests {
    @Test("strings are escaped per RFC 8259 and survive a round trip")
    func escaping() throws {
        let text = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} slash / caf\u{e9} \u{1F600}"
        let written = JSONValue.string(text).jsonText()
        #expect(written == #""quote \" backslash \\ newline \n tab \t nul \u0000 bell \u0007 slash / café 😀""#)
        #expect(try JSONValue.parse(written) == .string(text))
    }

    @Test("numbers: integers exact, doubles shortest round trip, non-finite as null")
    func numbers() throws {
        let value: JSONValue = [.integer(Int64.min), 0.1, 1e300, -2.5e-8, .number(.infinity), .number(.nan)]
        let written = value.jsonText()
        #expect(written == "[-9223372036854775808,0.1,1e+300,-2.5e-08,null,null]")
        #expect(try JSONValue.parse(written).arrayValue?.prefix(4) == value.arrayValue?.prefix(4))
    }

    @Test("pretty output indents by two spaces with sorted keys")
    func pretty() {
        let value: JSONValue = ["b": [1, [:]], "a": []]
        #expect(value.jsonText(pretty: true) == "{\n  \"a\": [],\n  \"b\": [\n    1,\n    {}\n  ]\n}")
    }

    @Test("integers beyond 64 bits are still JSON: read as doubles, the other integers kept")
    func integersBeyond64Bits() throws {
        let value = try JSONValue.parse(
            #"{"big": 28323702026099036572876800, "small": 5, "list": [-213941, 1.5]}"#)
        #expect(value["big"] == .number(28_323_702_026_099_036_572_876_800))
        #expect(value["small"] == .integer(5))
        #expect(value["list"] == .array([.integer(-213_941), .number(1.5)]))
        // Beyond a double's range there is no number to give: refused, saying where.
        let overflow = #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("[1, 1e400]") }
        #expect(overflow?.message.hasPrefix("real number overflow") == true)
        #expect(overflow?.column == 9)
    }

    @Test("an object written from members in key order is the text of the same object as a dictionary")
    func objectFromSortedMembers() {
        let members: [(key: String, value: JSONValue)] = [
            ("a", nil), ("b\"quoted\"", ["nested": [1, 2.5, "x\n"], "empty": [:]]), ("c", []), ("é", true),
        ]
        let dictionary = JSONValue.object(Dictionary(uniqueKeysWithValues: members))
        #expect(JSONValue.objectBytes(sortedMembers: members) == dictionary.jsonBytes())
        #expect(JSONValue.objectBytes(sortedMembers: []) == Array("{}".utf8))
    }
}
