import MimirCore
import MimirJSONSchema
import Testing

@Suite("allOf, anyOf, oneOf, not and if/then/else")
struct ApplicatorTests {
    @Test func allOfReportsEveryFailingBranchDirectly() throws {
        let schema = #"{"allOf": [{"type": "integer"}, {"minimum": 10}, {"maximum": 20}]}"#
        #expect(try check(schema, "15") == [])
        #expect(
            try check(schema, "5.5") == [
                "(root): must be >= 10, got 5.5", "(root): must be of type integer, got number",
            ])
    }

    @Test func allOfReportsADuplicatedViolationOnce() throws {
        let schema = #"{"allOf": [{"required": ["a"]}, {"required": ["a"]}]}"#
        #expect(try check(schema, "{}") == [#"(root): missing required property "a""#])
    }

    @Test func anyOfPassesWhenOneBranchMatches() throws {
        let schema = #"{"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]}"#
        #expect(try check(schema, #""text""#) == [])
        #expect(try check(schema, "3") == [])
    }

    @Test func anyOfFailureIncludesTheClosestBranch() throws {
        let schema = #"{"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 0}]}"#
        // The string branch fails on type; the integer branch has the right type, so it is the closest.
        #expect(
            try check(schema, "-1") == [
                "(root): must be >= 0, got -1",
                "(root): must match at least one schema in anyOf, matched 0 (closest: anyOf/1)",
            ])
        let summary = try compile(schema).validate(-1).first { $0.keyword == "anyOf" }
        #expect(summary?.instancePath == "")
    }

    @Test func oneOfPassesWithExactlyOneMatch() throws {
        let schema = #"{"oneOf": [{"type": "integer"}, {"type": "string"}]}"#
        #expect(try check(schema, "1") == [])
        #expect(try check(schema, #""x""#) == [])
    }

    @Test func oneOfFailsWhenSeveralMatch() throws {
        let schema = #"{"oneOf": [{"type": "number"}, {"type": "integer"}, {"type": "string"}]}"#
        #expect(try check(schema, "2.5") == [])
        #expect(
            try check(schema, "2") == [
                "(root): must match exactly one schema in oneOf, matched 2 (oneOf/0, oneOf/1)"
            ])
    }

    @Test func oneOfWithNoMatchPicksTheBranchWhoseDiscriminatorMatches() throws {
        let schema = #"""
            {"oneOf": [
                {"properties": {"kind": {"const": "a"}, "x": {"type": "string"}}, "required": ["kind", "x"]},
                {"properties": {"kind": {"const": "b"}, "y": {"type": "string"}}, "required": ["kind", "y"]}
            ]}
            """#
        // Branch 0 fails twice (kind, missing x); branch 1 only on y's type, but either way the matching
        // "kind" decides.
        #expect(
            try check(schema, #"{"kind": "b", "y": 1}"#) == [
                "(root): must match exactly one schema in oneOf, matched 0 (closest: oneOf/1)",
                "/y: must be of type string, got integer",
            ])
        // A tie on count (one violation each) is still decided by the discriminator.
        #expect(
            try check(schema, #"{"kind": "a", "x": 1, "y": "s"}"#) == [
                "(root): must match exactly one schema in oneOf, matched 0 (closest: oneOf/0)",
                "/x: must be of type string, got integer",
            ])
    }

    @Test func notRejectsMatchingInstances() throws {
        let schema = #"{"not": {"type": "null"}}"#
        #expect(try check(schema, "0") == [])
        #expect(try check(schema, "null") == [#"(root): must not match the schema in "not""#])
    }

    @Test func ifThenElse() throws {
        let schema = #"""
            {"if": {"properties": {"format": {"const": "csv"}}},
             "then": {"required": ["delimiter"]},
             "else": {"properties": {"delimiter": false}}}
            """#
        #expect(try check(schema, #"{"format": "csv", "delimiter": ","}"#) == [])
        #expect(try check(schema, #"{"format": "csv"}"#) == [#"(root): missing required property "delimiter""#])
        #expect(try check(schema, #"{"format": "jsonl"}"#) == [])
        #expect(
            try check(schema, #"{"format": "jsonl", "delimiter": ","}"#) == [
                "/delimiter: no value is allowed here (the schema is false)"
            ])
    }

    @Test func thenAndElseWithoutIfDoNothing() throws {
        #expect(try check(#"{"then": false, "else": false}"#, "1") == [])
    }

    @Test func isValidAgreesWithValidate() throws {
        let schema = try compile(#"{"oneOf": [{"type": "integer"}, {"minimum": 0}], "not": {"const": 7}}"#)
        for instance: JSONValue in [-1, 0.5, 7, 3, "s", -2.5] {
            #expect(schema.isValid(instance) == schema.validate(instance).isEmpty, "instance \(instance)")
        }
        #expect(schema.isValid(-1))
        #expect(!schema.isValid(3))
    }
}
