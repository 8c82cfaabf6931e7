/// A parsed expression tree. Public so that custom functions (aggregates in the twin engine,
/// for example) can inspect their unevaluated arguments at bind time.
public struct ExpressionNode: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        case literal(ExpressionValue)
        case identifier(String)
        case unary(UnaryOperator, ExpressionNode)
        case binary(BinaryOperator, ExpressionNode, ExpressionNode)
        /// `operand is null`, or `is not null` when `negated`.
        case isNull(ExpressionNode, negated: Bool)
        /// `operand in (list…)`, or `not in` when `negated`.
        case inList(ExpressionNode, [ExpressionNode], negated: Bool)
        /// `name` is lowercased: function names are case-insensitive.
        case call(name: String, arguments: [ExpressionNode])
    }

    public let kind: Kind
    /// 1-based character column where the node starts (the operator for unary and binary nodes).
    public let column: Int

    public init(_ kind: Kind, column: Int) {
        self.kind = kind
        self.column = column
    }

    /// The identifier's name when this node is a bare identifier; handy for aggregate functions
    /// whose argument names a path such as `children.temperature`.
    public var identifierName: String? {
        if case .identifier(let name) = kind { return name }
        return nil
    }

    /// Visits this node and every node below it, parents first.
    public func walk(_ visit: (ExpressionNode) -> Void) {
        visit(self)
        switch kind {
        case .literal, .identifier: break
        case .unary(_, let operand), .isNull(let operand, _): operand.walk(visit)
        case .binary(_, let left, let right):
            left.walk(visit)
            right.walk(visit)
        case .inList(let operand, let list, _):
            operand.walk(visit)
            for element in list { element.walk(visit) }
        case .call(_, let arguments):
            for argument in arguments { argument.walk(visit) }
        }
    }
}

public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not
}

public enum BinaryOperator: String, Sendable, Hashable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
    case concat = "||"
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case and
    case or
}
