import MimirCore
import MimirKubernetes
import Testing

@Suite struct YAMLSubsetTests {
    @Test func mappingsSequencesAndScalars() throws {
        let yaml = """
            ---
            # comment
            name: plain text with spaces
            url: https://host:6443/path#not-a-comment
            count: 42
            negative: -7
            flag: true
            nothing: ~
            empty:
            single: 'it''s'
            double: "tab\\tquote\\" \\u00e9 # inside"
            nested:
              deeper:
                key: value
            list:
            - a
            - b: 1
              c: 2
            -
              d: 3
            indented:
              - x
              - - y
            flow: {a: [1, two, "3"], b: {}}
            "quoted key": v
            """
        let value = try YAMLSubset.parse(yaml)
        let expected: JSONValue = [
            "name": "plain text with spaces",
            "url": "https://host:6443/path#not-a-comment",
            "count": 42, "negative": -7, "flag": true, "nothing": nil, "empty": nil,
            "single": "it's",
            "double": "tab\tquote\" é # inside",
            "nested": ["deeper": ["key": "value"]],
            "list": ["a", ["b": 1, "c": 2], ["d": 3]],
            "indented": ["x", ["y"]],
            "flow": ["a": [1, "two", "3"], "b": [:]],
            "quoted key": "v",
        ]
        #expect(value == expected)
    }

    @Test func windowsLineEndingsAndAnEmptyDocument() throws {
        #expect(try YAMLSubset.parse("a: 1\r\nb: x\r\n") == ["a": 1, "b": "x"])
        #expect(try YAMLSubset.parse("# only a comment\n") == nil)
    }

    @Test(arguments: [
        ("a: 1\n  b: 2\n", 2, "unexpected indentation"),
        ("a: 1\na: 2\n", 2, "duplicate key \"a\""),
        ("a: |\n  text\n", 1, "block scalars (| and >) are not supported; quote the value"),
        ("a: &anchor x\n", 1, "anchors, aliases and tags are not supported"),
        ("a: 'open\n", 1, "unterminated single-quoted string (quoted strings must end on the line they start)"),
        ("a: [1, 2\n", 1, "expected `]` in a flow collection (they must end on their line)"),
        ("a:\n\t- x\n", 2, "tabs cannot indent YAML; use spaces"),
        ("a: \"\\q\"\n", 1, "unsupported escape \\q"),
    ])
    func refusedWithTheLine(yaml: String, line: Int, message: String) {
        #expect(throws: YAMLSubsetError(line: line, message: message)) { try YAMLSubset.parse(yaml) }
    }
}
