import MimirCore

/// Why a text is not in the YAML subset `YAMLSubset` reads, with the 1-based line.
public struct YAMLSubsetError: Error, CustomStringConvertible, Sendable, Hashable {
    public let line: Int
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        "line \(line): \(message)"
    }
}

/// The YAML that kubeconfig files use, read into `JSONValue`: block mappings and sequences
/// (sequences may sit at their key's indentation, as kubectl writes them), plain, single- and
/// double-quoted scalars, comments, `---`, and one-line flow collections such as `{}` and `[a, b]`.
///
/// A full YAML library would be a new dependency for one file format; kubeconfig files written by
/// kubectl, cloud CLIs and people stay within this subset. Anchors, aliases, tags, block scalars
/// (`|`, `>`) and multi-line quoted or plain scalars are refused with the line, never misread.
public enum YAMLSubset {
    public static func parse(_ text: String) throws(YAMLSubsetError) -> JSONValue {
        var parser = BlockParser(lines: try YAMLLine.split(text))
        return try parser.parseDocument()
    }
}

/// One meaningful line: indentation, and content without the comment.
struct YAMLLine {
    let number: Int
    var indent: Int
    var content: Substring

    var isSequenceItem: Bool {
        content == "-" || content.hasPrefix("- ")
    }

    static func split(_ text: String) throws(YAMLSubsetError) -> [YAMLLine] {
        var lines: [YAMLLine] = []
        var number = 0
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let indent = line.prefix { $0 == " " }.count
            var content = line.dropFirst(indent)
            if content.first == "\t" {
                throw YAMLSubsetError(line: number, message: "tabs cannot indent YAML; use spaces")
            }
            content = stripComment(content)
            while let last = content.last, last == " " || last == "\t" { content = content.dropLast() }
            if content.isEmpty || content == "---" || content == "..." { continue }
            if indent == 0, content.hasPrefix("%") { continue }  // %YAML / %TAG directives
            lines.append(YAMLLine(number: number, indent: indent, content: content))
        }
        return lines
    }

    /// `#` starts a comment at the start of the content or after a space, outside quotes.
    static func stripComment(_ content: Substring) -> Substring {
        var quote: Character?
        var previous: Character = " "
        var index = content.startIndex
        while index < content.endIndex {
            let character = content[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                if previous == " " || previous == ":" || previous == "[" || previous == "{" || previous == ","
                    || previous == "-"
                {
                    quote = character
                }
            } else if character == "#", previous == " " || previous == "\t" {
                return content[..<index]
            }
            if character == "\\", quote == "\"" {
                // Skip the escaped character so `\"` does not close the string.
                index = content.index(after: index)
                if index < content.endIndex {
                    previous = content[index]
                    index = content.index(after: index)
                }
                continue
            }
            previous = character
            index = content.index(after: index)
        }
        return content
    }
}
