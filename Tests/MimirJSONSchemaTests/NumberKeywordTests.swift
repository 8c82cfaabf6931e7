import MimirCore
import MimirJSONSchema
import Testing

@Suite("minimum, maximum, exclusive limits and multipleOf")
struct NumberKeywordTests {
    @Test func minimumIsInclusive() throws {
        let schema = #"{"properties": {"limit": {"minimum": 1}}}"#
        #expect(try check(schema, #"{"limit": 1}"#) == [])
        #expect(try check(schema, #"{"limit": 0}"#) == ["/limit: must be >= 1, got 0"])
        #expect(try check(schema, #"{"limit": 0.5}"#) == ["/limit: must be >= 1, got 0.5"])
    }

    @Test func maximumIsInclusive() throws {
        #expect(try check(#"{"maximum": 10}"#, "10") == [])
        #expect(try check(#"{"maximum": 10}"#, "10.5") == ["(root): must be <= 10, got 10.5"])
    }

    @Test func exclusiveLimitsRejectTheLimitItself() throws {
        #expect(try check(#"{"exclusiveMinimum": 0}"#, "0.001") == [])
        #expect(try check(#"{"exclusiveMinimum": 0}"#, "0") == ["(root): must be > 0, got 0"])
        #expect(try check(#"{"exclusiveMaximum": 1.5}"#, "1.4") == [])
        #expect(try check(#"{"exclusiveMaximum": 1.5}"#, "1.5") == ["(root): must be < 1.5, got 1.5"])
        let keyword = try compile(#"{"exclusiveMaximum": 1.5}"#).validate(2).first?.keyword
        #expect(keyword == "exclusiveMaximum")
    }

    @Test func limitsIgnoreNonNumbers() throws {
        #expect(try check(#"{"minimum": 5, "maximum": 1}"#, #""not a number""#) == [])
    }

    @Test func limitsCompareLargeIntegersExactly() throws {
        // 9007199254740993 (2^53 + 1) rounds to 2^53 as a Double; the comparison must not.
        #expect(
            try check(#"{"maximum": 9007199254740992}"#, "9007199254740993") == [
                "(root): must be <= 9007199254740992, got 9007199254740993"
            ])
        #expect(try check(#"{"maximum": 9007199254740992.0}"#, "9007199254740993").count == 1)
        #expect(try check(#"{"minimum": 9007199254740992.0}"#, "9007199254740992") == [])
        #expect(try check(#"{"exclusiveMinimum": 9007199254740992.0}"#, "9007199254740992").count == 1)
    }

    @Test func multipleOfIntegers() throws {
        #expect(try check(#"{"multipleOf": 5}"#, "15") == [])
        #expect(try check(#"{"multipleOf": 5}"#, "-10") == [])
        #expect(try check(#"{"multipleOf": 5}"#, "12") == ["(root): must be a multiple of 5, got 12"])
        #expect(try check(#"{"multipleOf": 2}"#, "7.5") == ["(root): must be a multiple of 2, got 7.5"])
    }

    @Test func multipleOfDecimalFractionsDespiteBinaryRounding() throws {
        #expect(try check(#"{"multipleOf": 0.1}"#, "0.3") == [])
        #expect(try check(#"{"multipleOf": 0.01}"#, "19.99") == [])
        #expect(try check(#"{"multipleOf": 0.0001}"#, "0.0075") == [])
        #expect(try check(#"{"multipleOf": 1.5}"#, "4.5") == [])
        #expect(try check(#"{"multipleOf": 0.5}"#, "1.3") == ["(root): must be a multiple of 0.5, got 1.3"])
        #expect(try check(#"{"multipleOf": 0.01}"#, "0.015") == ["(root): must be a multiple of 0.01, got 0.015"])
    }

    @Test func multipleOfOverflowingQuotientIsNotAMultiple() throws {
        #expect(try check(#"{"multipleOf": 0.123456789}"#, "1e308").count == 1)
    }
}
