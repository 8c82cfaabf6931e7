import MimirCore

/// Reads block structure from indentation: a recursive descent over `YAMLLine`s.
struct BlockParser {
    private var lines: [YAMLLine]
    private var position = 0

    init(lines: [YAMLLine]) {
        self.lines = lines
    }

    mutating func parseDocument() throws(YAMLSubsetError) -> JSONValue {
        guard let first = lines.first else { return .null }
        let value = try parseNode(indent: first.indent)
        if position < lines.count {
            throw YAMLSubsetError(line: lines[position].number, message: "unexpected indentation")
        }
        return value
    }

    /// The node starting at the current line, which is indented by exactly `indent`.
    private mutating func parseNode(indent: Int) throws(YAMLSubsetError) -> JSONValue {
        let line = lines[position]
        if line.isSequenceItem { return try parseSequence(indent: indent) }
        if try MappingKey.split(line) != nil { return try parseMapping(indent: indent) }
        position += 1
        return try YAMLScalar.inline(line.content, line: line.number)
    }

    private mutating func parseMapping(indent: Int) throws(YAMLSubsetError) -> JSONValue {
        var object: [String: JSONValue] = [:]
        while position < lines.count, lines[position].indent == indent, !lines[position].isSequenceItem {
            let line = lines[position]
            guard let (key, rest) = try MappingKey.split(line) else {
                throw YAMLSubsetError(line: line.number, message: "expected `key: value` in a mapping")
            }
            if object[key] != nil {
                throw YAMLSubsetError(line: line.number, message: "duplicate key \(String(reflecting: key))")
            }
            position += 1
            object[key] = try parseValue(after: rest, line: line, indent: indent)
        }
        if position < lines.count, lines[position].indent > indent {
            throw YAMLSubsetError(line: lines[position].number, message: "unexpected indentation")
        }
        return .object(object)
    }

    /// The value of a key whose line continues with `rest`: inline, or the block below it. A
    /// sequence may start at the key's own indentation (`clusters:` then `- name: ...`).
    private mutating func parseValue(after rest: Substring, line: YAMLLine, indent: Int) throws(YAMLSubsetError)
        -> JSONValue
    {
        if !rest.isEmpty { return try YAMLScalar.inline(rest, line: line.number) }
        guard position < lines.count else { return .null }
        let next = lines[position]
        if next.indent > indent { return try parseNode(indent: next.indent) }
        if next.indent == indent, next.isSequenceItem { return try parseSequence(indent: indent) }
        return .null
    }

    private mutating func parseSequence(indent: Int) throws(YAMLSubsetError) -> JSONValue {
        var items: [JSONValue] = []
        while position < lines.count, lines[position].indent == indent, lines[position].isSequenceItem {
            let line = lines[position]
            let afterDash = line.content.dropFirst()
            let spaces = afterDash.prefix { $0 == " " }.count
            let rest = afterDash.dropFirst(spaces)
            if rest.isEmpty {
                position += 1
                if position < lines.count, lines[position].indent > indent {
                    items.append(try parseNode(indent: lines[position].indent))
                } else {
                    items.append(.null)
                }
                continue
            }
            // `- key: value` opens a mapping whose keys line up with `key`: parse the rest of the
            // line as if it were a line of its own at that column.
            let column = indent + 1 + spaces
            lines[position] = YAMLLine(number: line.number, indent: column, content: rest)
            items.append(try parseNode(indent: column))
        }
        if position < lines.count, lines[position].indent > indent {
            throw YAMLSubsetError(line: lines[position].number, message: "unexpected indentation")
        }
        return .array(items)
    }
}

/// `key: rest` lines; keys may be quoted.
enum MappingKey {
    static func split(_ line: YAMLLine) throws(YAMLSubsetError) -> (String, Substring)? {
        let content = line.content
        if let quote = content.first, quote == "\"" || quote == "'" {
            let (key, end) = try YAMLScalar.quoted(content, line: line.number)
            let after = content[end...]
            guard after.first == ":" else { return nil }
            return (key, trimmedRest(after.dropFirst()))
        }
        if content.first == "{" || content.first == "[" { return nil }
        var index = content.startIndex
        while index < content.endIndex {
            if content[index] == ":" {
                let next = content.index(after: index)
                if next == content.endIndex || content[next] == " " {
                    let key = content[..<index]
                    guard !key.isEmpty else { return nil }
                    var trimmedKey = key
                    while trimmedKey.last == " " { trimmedKey = trimmedKey.dropLast() }
                    return (String(trimmedKey), trimmedRest(content[next...]))
                }
            }
            index = content.index(after: index)
        }
        return nil
    }

    private static func trimmedRest(_ rest: Substring) -> Substring {
        rest.drop { $0 == " " }
    }
}
