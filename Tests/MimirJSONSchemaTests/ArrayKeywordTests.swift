import MimirCore
import MimirJSONSchema
import Testing

@Suite("Array keywords")
struct ArrayKeywordTests {
    @Test func itemsAppliesToEveryItemWithItsIndex() throws {
        let schema = #"{"items": {"type": "integer"}}"#
        #expect(try check(schema, "[1, 2, 3]") == [])
        #expect(try check(schema, "[]") == [])
        #expect(
            try check(schema, #"[1, "two", 3, 4.5]"#) == [
                "/1: must be of type integer, got string",
                "/3: must be of type integer, got number",
            ])
    }

    @Test func prefixItemsThenItems() throws {
        let schema = #"{"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": {"type": "boolean"}}"#
        #expect(try check(schema, #"["a", 1, true, false]"#) == [])
        // Fewer items than prefixItems is fine.
        #expect(try check(schema, #"["a"]"#) == [])
        #expect(
            try check(schema, #"[1, "a", null]"#) == [
                "/0: must be of type string, got integer",
                "/1: must be of type integer, got string",
                "/2: must be of type boolean, got null",
            ])
    }

    @Test func itemsFalseForbidsItemsBeyondThePrefix() throws {
        let schema = #"{"prefixItems": [{}], "items": false}"#
        #expect(try check(schema, "[1]") == [])
        #expect(try check(schema, "[1, 2]") == ["/1: no value is allowed here (the schema is false)"])
    }

    @Test func minItemsAndMaxItems() throws {
        #expect(try check(#"{"minItems": 1}"#, "[0]") == [])
        #expect(try check(#"{"minItems": 1}"#, "[]") == ["(root): must have at least 1 item, got 0"])
        #expect(try check(#"{"maxItems": 2}"#, "[1, 2, 3]") == ["(root): must have at most 2 items, got 3"])
        #expect(try check(#"{"minItems": 1}"#, #""not an array""#) == [])
    }

    @Test func uniqueItemsUsesJSONEquality() throws {
        let schema = #"{"uniqueItems": true}"#
        #expect(try check(schema, #"[1, "1", true, null, [1], {"a": 1}, {"a": 2}]"#) == [])
        #expect(try check(schema, "[1, 2, 1.0]") == ["(root): must not contain duplicates, item 2 equals item 0"])
        #expect(
            try check(schema, #"[{"a": [1]}, {"a": [1.0]}]"#) == [
                "(root): must not contain duplicates, item 1 equals item 0"
            ])
        #expect(try check(#"{"uniqueItems": false}"#, "[1, 1]") == [])
    }

    @Test func containsCountsMatchingItems() throws {
        let schema = #"{"contains": {"type": "string"}}"#
        #expect(try check(schema, #"[1, "a"]"#) == [])
        #expect(try check(schema, "[1, 2]") == [#"(root): must contain at least 1 item matching "contains", got 0"#])
        let bounded = #"{"contains": {"type": "string"}, "minContains": 2, "maxContains": 3}"#
        #expect(try check(bounded, #"["a", "b", 1]"#) == [])
        #expect(
            try check(bounded, #"["a", 1]"#) == [#"(root): must contain at least 2 items matching "contains", got 1"#])
        #expect(
            try check(bounded, #"["a", "b", "c", "d"]"#) == [
                #"(root): must contain at most 3 items matching "contains", got 4"#
            ])
        // minContains 0 makes contains always satisfiable.
        #expect(try check(#"{"contains": false, "minContains": 0}"#, "[]") == [])
    }

    @Test func deterministicOrderSortsIndicesNumerically() throws {
        let items = (0..<12).map { _ in "\"x\"" }.joined(separator: ", ")
        let paths = try compile(#"{"items": {"type": "integer"}}"#).validate(JSONValue.parse("[\(items)]"))
            .map(\.instancePath)
        #expect(paths == (0..<12).map { "/\($0)" })
    }
}
