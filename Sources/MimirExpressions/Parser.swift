/// Recursive-descent parser, one function per precedence level, loosest first:
/// `or`, `and`, `not`, comparisons (`= != < … is null, in`), `||`, `+ -`, `* / %`, unary `-`.
struct Parser {
    private let text: String
    private let tokens: [Token]
    private var position = 0

    init(text: String) throws(ExpressionError) {
        self.text = text
        var lexer = Lexer(text)
        do throws(LexerFailure) {
            tokens = try lexer.tokenize()
        } catch {
            throw ExpressionError(error.message, column: Self.column(ofByte: error.offset, in: text))
        }
    }

    mutating func parseExpression() throws(ExpressionError) -> ExpressionNode {
        let node = try parseOr()
        guard case .end = current.kind else { throw unexpected(current) }
        return node
    }

    private var current: Token { tokens[position] }

    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func isSymbol(_ symbol: String) -> Bool {
        if case .symbol(let found) = current.kind { return found == symbol }
        return false
    }

    private func isKeyword(_ keyword: String) -> Bool {
        current.keyword == keyword
    }

    private func column(of token: Token) -> Int {
        Self.column(ofByte: token.offset, in: text)
    }

    private mutating func parseOr() throws(ExpressionError) -> ExpressionNode {
        var left = try parseAnd()
        while isKeyword("or") {
            let token = advance()
            let right = try parseAnd()
            left = ExpressionNode(.binary(.or, left, right), column: column(of: token))
        }
        return left
    }

    private mutating func parseAnd() throws(ExpressionError) -> ExpressionNode {
        var left = try parseNot()
        while isKeyword("and") {
            let token = advance()
            let right = try parseNot()
            left = ExpressionNode(.binary(.and, left, right), column: column(of: token))
        }
        return left
    }

    private mutating func parseNot() throws(ExpressionError) -> ExpressionNode {
        guard isKeyword("not") else { return try parseComparison() }
        let token = advance()
        let operand = try parseNot()
        return ExpressionNode(.unary(.not, operand), column: column(of: token))
    }

    private static let comparisonSymbols: [String: BinaryOperator] = [
        "=": .equal, "==": .equal, "!=": .notEqual, "<>": .notEqual, "<": .less, "<=": .lessOrEqual,
        ">": .greater, ">=": .greaterOrEqual,
    ]

    /// Comparisons do not chain: `a < b < c` is an error rather than a surprise.
    private mutating func parseComparison() throws(ExpressionError) -> ExpressionNode {
        let left = try parseConcat()
        if case .symbol(let symbol) = current.kind, let op = Self.comparisonSymbols[symbol] {
            let token = advance()
            let right = try parseConcat()
            return ExpressionNode(.binary(op, left, right), column: column(of: token))
        }
        if isKeyword("is") {
            let token = advance()
            let negated = isKeyword("not")
            if negated { _ = advance() }
            guard isKeyword("null") else {
                throw ExpressionError(
                    "expected 'null' after '\(negated ? "is not" : "is")', found \(current.display)",
                    column: column(of: current))
            }
            _ = advance()
            return ExpressionNode(.isNull(left, negated: negated), column: column(of: token))
        }
        if isKeyword("in") || (isKeyword("not") && nextIsKeyword("in")) {
            let token = advance()
            let negated = token.keyword == "not"
            if negated { _ = advance() }
            let list = try parseParenthesisedList(after: "in")
            return ExpressionNode(.inList(left, list, negated: negated), column: column(of: token))
        }
        return left
    }

    private func nextIsKeyword(_ keyword: String) -> Bool {
        position + 1 < tokens.count && tokens[position + 1].keyword == keyword
    }

    private mutating func parseConcat() throws(ExpressionError) -> ExpressionNode {
        var left = try parseAdditive()
        while isSymbol("||") {
            let token = advance()
            let right = try parseAdditive()
            left = ExpressionNode(.binary(.concat, left, right), column: column(of: token))
        }
        return left
    }

    private mutating func parseAdditive() throws(ExpressionError) -> ExpressionNode {
        var left = try parseMultiplicative()
        while isSymbol("+") || isSymbol("-") {
            let token = advance()
            let right = try parseMultiplicative()
            let op: BinaryOperator = token.kind == .symbol("+") ? .add : .subtract
            left = ExpressionNode(.binary(op, left, right), column: column(of: token))
        }
        return left
    }

    private mutating func parseMultiplicative() throws(ExpressionError) -> ExpressionNode {
        var left = try parseUnary()
        while isSymbol("*") || isSymbol("/") || isSymbol("%") {
            let token = advance()
            let right = try parseUnary()
            let op: BinaryOperator =
                switch token.kind {
                case .symbol("*"): .multiply
                case .symbol("/"): .divide
                default: .remainder
                }
            left = ExpressionNode(.binary(op, left, right), column: column(of: token))
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
        guard isSymbol("-") else { return try parsePrimary() }
        let token = advance()
        let operand = try parseUnary()
        // Folding here makes `-1` a constant rather than a negation evaluated per row.
        if case .literal(.integer(let value)) = operand.kind {
            return ExpressionNode(.literal(.integer(-value)), column: column(of: token))
        }
        if case .literal(.number(let value)) = operand.kind {
            return ExpressionNode(.literal(.number(-value)), column: column(of: token))
        }
        return ExpressionNode(.unary(.negate, operand), column: column(of: token))
    }

    private mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
        let token = current
        let tokenColumn = column(of: token)
        switch token.kind {
        case .integer(let value):
            _ = advance()
            return ExpressionNode(.literal(.integer(value)), column: tokenColumn)
        case .number(let value):
            _ = advance()
            return ExpressionNode(.literal(.number(value)), column: tokenColumn)
        case .string(let value):
            _ = advance()
            return ExpressionNode(.literal(.string(value)), column: tokenColumn)
        case .symbol("("):
            _ = advance()
            let inner = try parseOr()
            guard isSymbol(")") else {
                throw ExpressionError(
                    "expected ')' to close '(' from column \(tokenColumn), found \(current.display)",
                    column: column(of: current))
            }
            _ = advance()
            return inner
        case .identifier(let name, let quoted):
            return try parseIdentifierOrCall(name: name, quoted: quoted, token: token)
        case .symbol, .end:
            throw unexpected(token)
        }
    }

    private mutating func parseIdentifierOrCall(name: String, quoted: Bool, token: Token) throws(ExpressionError)
        -> ExpressionNode
    {
        let tokenColumn = column(of: token)
        switch token.keyword {
        case "true", "false":
            _ = advance()
            return ExpressionNode(.literal(.bool(token.keyword == "true")), column: tokenColumn)
        case "null":
            _ = advance()
            return ExpressionNode(.literal(.null), column: tokenColumn)
        case .some:
            throw unexpected(token)
        case .none:
            break
        }
        _ = advance()
        if !quoted, isSymbol("(") {
            let arguments = try parseParenthesisedList(after: name, allowEmpty: true)
            return ExpressionNode(.call(name: name.lowercased(), arguments: arguments), column: tokenColumn)
        }
        return ExpressionNode(.identifier(name), column: tokenColumn)
    }

    private mutating func parseParenthesisedList(after what: String, allowEmpty: Bool = false) throws(ExpressionError)
        -> [ExpressionNode]
    {
        guard isSymbol("(") else {
            throw ExpressionError("expected '(' after '\(what)', found \(current.display)", column: column(of: current))
        }
        let open = advance()
        var elements: [ExpressionNode] = []
        if isSymbol(")"), allowEmpty {
            _ = advance()
            return elements
        }
        while true {
            elements.append(try parseOr())
            if isSymbol(",") {
                _ = advance()
                continue
            }
            guard isSymbol(")") else {
                throw ExpressionError(
                    "expected ',' or ')' to close '(' from column \(column(of: open)), found \(current.display)",
                    column: column(of: current))
            }
            _ = advance()
            return elements
        }
    }

    private func unexpected(_ token: Token) -> ExpressionError {
        ExpressionError("unexpected \(token.display)", column: column(of: token))
    }

    /// Columns count characters, not bytes, so a caret lines up under non-ASCII text too.
    static func column(ofByte offset: Int, in text: String) -> Int {
        let utf8 = text.utf8
        let end = utf8.index(utf8.startIndex, offsetBy: min(offset, utf8.count))
        return text[..<end].count + 1
    }
}
