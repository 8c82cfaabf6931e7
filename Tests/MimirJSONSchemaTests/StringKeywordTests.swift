import MimirCore
import MimirJSONSchema
import Testing

@Suite("minLength, maxLength and pattern")
struct StringKeywordTests {
    @Test func minLength() throws {
        let schema = #"{"properties": {"name": {"minLength": 3}}}"#
        #expect(try check(schema, #"{"name": "abc"}"#) == [])
        #expect(try check(schema, #"{"name": "ab"}"#) == ["/name: must be at least 3 characters long, got 2"])
        #expect(try check(#"{"minLength": 1}"#, #""""#) == ["(root): must be at least 1 character long, got 0"])
    }

    @Test func maxLength() throws {
        #expect(try check(#"{"maxLength": 5}"#, #""hello""#) == [])
        #expect(try check(#"{"maxLength": 5}"#, #""hello!""#) == ["(root): must be at most 5 characters long, got 6"])
    }

    @Test func lengthCountsCodePoints() throws {
        let maxTwo = try compile(#"{"maxLength": 2}"#)
        // One code point outside the BMP (two UTF-16 units, four UTF-8 bytes) is one character.
        #expect(maxTwo.validate("😀😀") == [])
        // "e" + combining acute accent is one grapheme cluster but two code points.
        let decomposed = "e\u{301}"
        #expect(maxTwo.validate(.string(decomposed)) == [])
        #expect(
            maxTwo.validate(.string(decomposed + "x")).map(\.message) == ["must be at most 2 characters long, got 3"])
        // A flag emoji is two regional-indicator code points.
        #expect(try compile(#"{"minLength": 2}"#).validate("🇫🇷") == [])
    }

    @Test func lengthIgnoresNonStrings() throws {
        #expect(try check(#"{"minLength": 3, "maxLength": 0}"#, "12345") == [])
    }

    @Test func patternIsAnUnanchoredSearch() throws {
        #expect(try check(#"{"pattern": "b+"}"#, #""abbc""#) == [])
        #expect(try check(#"{"pattern": "^[a-z]+$"}"#, #""lower""#) == [])
        #expect(
            try check(#"{"pattern": "^[a-z]+$"}"#, #""Upper""#) == [
                #"(root): must match pattern ^[a-z]+$, got "Upper""#
            ])
        #expect(try check(#"{"pattern": "^[a-z]+$"}"#, "42") == [])
    }

    @Test func patternDollarDoesNotMatchBeforeTrailingNewline() throws {
        // ECMA-262 "$" without the m flag only matches at the very end.
        #expect(try check(#"{"pattern": "^[a-z]+$"}"#, #""abc\n""#).count == 1)
    }

    @Test func patternDigitClassIsAscii() throws {
        let schema = try compile(#"{"pattern": "^\\d+$"}"#)
        #expect(schema.validate("2024") == [])
        #expect(schema.validate("٢٠٢٤").count == 1)
    }

    @Test func patternViolationKeyword() throws {
        let violation = try compile(#"{"properties": {"id": {"pattern": "^[0-9a-f]{8}$"}}}"#).validate(["id": "xyz"])
        #expect(
            violation == [
                JSONSchemaViolation(
                    instancePath: "/id", keyword: "pattern", message: #"must match pattern ^[0-9a-f]{8}$, got "xyz""#)
            ])
    }
}
