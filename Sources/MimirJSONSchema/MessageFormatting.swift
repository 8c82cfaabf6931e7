import MimirCore

/// Small helpers that keep violation messages consistent and short.
enum MessageFormatting {
    /// Longest rendering of an instance value in a message; big objects would drown the actual problem.
    static let maximumValueLength = 60

    /// The value as JSON text, shortened with "..." when long: `"xml"`, `42`, `{"a":1}`.
    static func render(_ value: JSONValue) -> String {
        let text = value.jsonText()
        guard text.count > maximumValueLength else { return text }
        return String(text.prefix(maximumValueLength - 3)) + "..."
    }

    /// Most values of a list shown in a message; a long `enum` is cut short rather than filling the screen.
    static let maximumListedValues = 10

    /// `["csv", "jsonl"]`: each value rendered, comma separated; past the limit the list ends in "... (5 more)]".
    static func renderList(_ values: [JSONValue]) -> String {
        var shown = values.prefix(maximumListedValues).map(render)
        if values.count > maximumListedValues {
            shown.append("... (\(values.count - maximumListedValues) more)")
        }
        return "[" + shown.joined(separator: ", ") + "]"
    }

    /// "1 item", "2 items".
    static func count(_ count: Int, _ singular: String, _ plural: String) -> String {
        "\(count) \(count == 1 ? singular : plural)"
    }

    /// "a", "a or b", "a, b or c".
    static func alternatives(_ words: [String]) -> String {
        guard let last = words.last, words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + last
    }

    /// `"name"` with JSON string escaping, for property names in messages.
    static func quoted(_ text: String) -> String {
        JSONValue.string(text).jsonText()
    }
}
