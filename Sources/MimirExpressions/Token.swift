/// One lexical unit with the byte offset it starts at; the parser turns offsets into character
/// columns only when it reports an error.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case integer(Int64)
        case number(Double)
        case string(String)
        /// `quoted` identifiers (`` `like this` ``) are never keywords.
        case identifier(String, quoted: Bool)
        case symbol(String)
        case end
    }

    let kind: Kind
    let offset: Int

    /// The token as a user would recognise it in an error message.
    var display: String {
        switch kind {
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): "'\(value)'"
        case .identifier(let name, let quoted): quoted ? "`\(name)`" : name
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "end of expression"
        }
    }

    /// The keyword this token spells, lowercased, when it is an unquoted identifier.
    var keyword: String? {
        guard case .identifier(let name, quoted: false) = kind else { return nil }
        let lowered = name.lowercased()
        return Token.keywords.contains(lowered) ? lowered : nil
    }

    static let keywords: Set<String> = ["and", "or", "not", "is", "null", "in", "true", "false"]
}
