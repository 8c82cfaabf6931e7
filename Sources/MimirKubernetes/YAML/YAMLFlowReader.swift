import MimirCore

/// Reads one line's value: a quoted or plain scalar, or a flow collection (`{a: 1, b: [x]}`).
struct FlowReader {
    let text: Substring
    let line: Int
    private var index: Substring.Index

    init(text: Substring, line: Int) {
        self.text = text
        self.line = line
        index = text.startIndex
    }

    var isAtEnd: Bool { index == text.endIndex }
    var rest: Substring { text[index...] }

    mutating func skipSpaces() {
        while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
    }

    /// In a flow collection a plain scalar ends at `,` `]` `}`; at the top level it runs to the end.
    mutating func value(topLevel: Bool) throws(YAMLSubsetError) -> JSONValue {
        skipSpaces()
        guard let first = text[index...].first else { return .null }
        switch first {
        case "\"", "'":
            let (string, end) = try YAMLScalar.quoted(text[index...], line: line)
            index = end
            return .string(string)
        case "[": return try sequence()
        case "{": return try mapping()
        case "|", ">":
            throw YAMLSubsetError(line: line, message: "block scalars (| and >) are not supported; quote the value")
        case "&", "*", "!":
            throw YAMLSubsetError(line: line, message: "anchors, aliases and tags are not supported")
        default:
            let stop: Set<Character> = topLevel ? [] : [",", "]", "}"]
            let start = index
            while index < text.endIndex, !stop.contains(text[index]) {
                if !topLevel, text[index] == ":", isFollowedBySpace() { break }
                index = text.index(after: index)
            }
            var plain = text[start..<index]
            while plain.last == " " { plain = plain.dropLast() }
            return YAMLScalar.plain(plain)
        }
    }

    private func isFollowedBySpace() -> Bool {
        let next = text.index(after: index)
        return next == text.endIndex || text[next] == " "
    }

    private mutating func expect(_ character: Character) throws(YAMLSubsetError) {
        skipSpaces()
        guard index < text.endIndex, text[index] == character else {
            throw YAMLSubsetError(
                line: line, message: "expected `\(character)` in a flow collection (they must end on their line)")
        }
        index = text.index(after: index)
    }

    /// Consumes `character` if it is next.
    private mutating func accept(_ character: Character) -> Bool {
        skipSpaces()
        guard index < text.endIndex, text[index] == character else { return false }
        index = text.index(after: index)
        return true
    }

    private mutating func sequence() throws(YAMLSubsetError) -> JSONValue {
        try expect("[")
        var items: [JSONValue] = []
        if accept("]") { return .array(items) }
        repeat {
            items.append(try value(topLevel: false))
        } while accept(",")
        try expect("]")
        return .array(items)
    }

    private mutating func mapping() throws(YAMLSubsetError) -> JSONValue {
        try expect("{")
        var object: [String: JSONValue] = [:]
        if accept("}") { return .object(object) }
        repeat {
            let key = try value(topLevel: false)
            guard let name = key.stringValue ?? key.jsonText().nonEmptyScalarText else {
                throw YAMLSubsetError(line: line, message: "a flow mapping key must be a scalar")
            }
            try expect(":")
            object[name] = try value(topLevel: false)
        } while accept(",")
        try expect("}")
        return .object(object)
    }
}

extension String {
    /// Keys such as `1` or `true` read as scalars other than strings; as keys they are their text.
    fileprivate var nonEmptyScalarText: String? {
        isEmpty || hasPrefix("[") || hasPrefix("{") ? nil : self
    }
}
