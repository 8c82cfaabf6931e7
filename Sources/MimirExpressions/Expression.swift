/// A parsed expression: parse once, inspect what it references, then bind it (see `bind`) to
/// get something cheap to evaluate per row.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let root: ExpressionNode

    public init(root: ExpressionNode, text: String) {
        self.root = root
        self.text = text
    }

    public static func parse(_ text: String) throws(ExpressionError) -> Expression {
        var parser = try Parser(text: text)
        return Expression(root: try parser.parseExpression(), text: text)
    }

    public var description: String { text }

    /// Every identifier the text mentions, first occurrence first, including those inside
    /// function calls (a custom function may treat its arguments as names rather than columns).
    public var identifiers: [String] {
        var seen: Set<String> = []
        var names: [String] = []
        root.walk { node in
            if case .identifier(let name) = node.kind, seen.insert(name).inserted { names.append(name) }
        }
        return names
    }

    /// Identifiers with the column of their first occurrence, for callers that report unknown
    /// names in their own words.
    public var identifierColumns: [(name: String, column: Int)] {
        var seen: Set<String> = []
        var result: [(name: String, column: Int)] = []
        root.walk { node in
            if case .identifier(let name) = node.kind, seen.insert(name).inserted {
                result.append((name, node.column))
            }
        }
        return result
    }

    /// Names of the functions called, lowercased, first occurrence first.
    public var functionNames: [String] {
        var seen: Set<String> = []
        var names: [String] = []
        root.walk { node in
            if case .call(let name, _) = node.kind, seen.insert(name).inserted { names.append(name) }
        }
        return names
    }
}
