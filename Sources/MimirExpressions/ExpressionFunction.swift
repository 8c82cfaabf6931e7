/// How many arguments a function accepts; checked at bind time.
public struct Arity: Sendable, Hashable, CustomStringConvertible {
    public let minimum: Int
    /// `nil` for variadic functions.
    public let maximum: Int?

    public init(minimum: Int, maximum: Int?) {
        self.minimum = minimum
        self.maximum = maximum
    }

    public static func exactly(_ count: Int) -> Arity { Arity(minimum: count, maximum: count) }
    public static func between(_ minimum: Int, _ maximum: Int) -> Arity { Arity(minimum: minimum, maximum: maximum) }
    public static func atLeast(_ minimum: Int) -> Arity { Arity(minimum: minimum, maximum: nil) }

    public func accepts(_ count: Int) -> Bool {
        count >= minimum && (maximum.map { count <= $0 } ?? true)
    }

    public var description: String {
        let noun: (Int) -> String = { $0 == 1 ? "1 argument" : "\($0) arguments" }
        switch maximum {
        case .none: return "at least \(noun(minimum))"
        case .some(let maximum) where maximum == minimum: return noun(minimum)
        case .some(let maximum) where maximum == minimum + 1: return "\(minimum) or \(noun(maximum))"
        case .some(let maximum): return "\(minimum) to \(noun(maximum))"
        }
    }
}

/// A call site handed to a special function at bind time.
public struct FunctionCall: Sendable {
    public let name: String
    /// Unevaluated: compile them with `Binder.compile`, or read them as names (`identifierName`).
    public let arguments: [ExpressionNode]
    public let column: Int
}

/// A function callable from expressions. Plain functions receive evaluated arguments; special
/// functions receive the call itself at bind time and return their own evaluator, which is how
/// lazy functions (`if`, `coalesce`) and caller-evaluated aggregates (`avg(children.x)`) work.
public struct ExpressionFunction: Sendable {
    public typealias Unary = @Sendable (ExpressionValue) throws(ExpressionError) -> ExpressionValue
    public typealias Binary = @Sendable (ExpressionValue, ExpressionValue) throws(ExpressionError) -> ExpressionValue
    public typealias Variadic = @Sendable ([ExpressionValue]) throws(ExpressionError) -> ExpressionValue
    public typealias Special = @Sendable (FunctionCall, Binder) throws(ExpressionError) -> Evaluator

    enum Body: Sendable {
        case unary(Unary)
        case binary(Binary)
        case variadic(Variadic)
        case special(Special)
    }

    /// Lowercase; calls match case-insensitively.
    public let name: String
    public let arity: Arity
    /// Pure functions with constant arguments are evaluated once at bind time.
    public let isPure: Bool
    /// When true the body never sees `null`: any null argument makes the result null (SQL style).
    public let propagatesNull: Bool
    let body: Body

    private init(name: String, arity: Arity, isPure: Bool, propagatesNull: Bool, body: Body) {
        self.name = name.lowercased()
        self.arity = arity
        self.isPure = isPure
        self.propagatesNull = propagatesNull
        self.body = body
    }

    public static func unary(
        _ name: String, pure: Bool = true, propagatesNull: Bool = true, _ body: @escaping Unary
    ) -> ExpressionFunction {
        ExpressionFunction(
            name: name, arity: .exactly(1), isPure: pure, propagatesNull: propagatesNull, body: .unary(body))
    }

    public static func binary(
        _ name: String, pure: Bool = true, propagatesNull: Bool = true, _ body: @escaping Binary
    ) -> ExpressionFunction {
        ExpressionFunction(
            name: name, arity: .exactly(2), isPure: pure, propagatesNull: propagatesNull, body: .binary(body))
    }

    public static func variadic(
        _ name: String, arity: Arity, pure: Bool = true, propagatesNull: Bool = true, _ body: @escaping Variadic
    ) -> ExpressionFunction {
        ExpressionFunction(
            name: name, arity: arity, isPure: pure, propagatesNull: propagatesNull, body: .variadic(body))
    }

    /// A function that compiles its own call. The returned evaluator runs per row and can read
    /// `EvaluationInput.context`; it is never constant-folded.
    public static func special(_ name: String, arity: Arity, _ bind: @escaping Special) -> ExpressionFunction {
        ExpressionFunction(name: name, arity: arity, isPure: false, propagatesNull: false, body: .special(bind))
    }
}
