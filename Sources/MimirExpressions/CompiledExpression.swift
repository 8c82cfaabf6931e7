/// What a bound expression reads while it evaluates: the row's values by slot, plus an optional
/// caller object that custom functions may downcast (the twin engine passes the entity whose
/// attribute is being derived, for instance).
public struct EvaluationInput {
    public let slots: [ExpressionValue]
    public let context: AnyObject?

    public init(slots: [ExpressionValue], context: AnyObject? = nil) {
        self.slots = slots
        self.context = context
    }
}

/// The compiled form of an expression node. Closures rather than a tree walk: each node decides
/// its operation once at bind time, so a row costs only the calls that do real work.
public typealias Evaluator = @Sendable (EvaluationInput) throws(ExpressionError) -> ExpressionValue

/// An expression bound to slots and functions; safe to share between threads.
public struct CompiledExpression: Sendable {
    public let expression: Expression
    /// The value when the expression does not depend on the row at all (after folding).
    public let constantValue: ExpressionValue?
    private let evaluator: Evaluator

    init(expression: Expression, evaluator: @escaping Evaluator, constantValue: ExpressionValue?) {
        self.expression = expression
        self.evaluator = evaluator
        self.constantValue = constantValue
    }

    public func evaluate(_ input: EvaluationInput) throws(ExpressionError) -> ExpressionValue {
        try evaluator(input)
    }

    public func evaluate(_ slots: [ExpressionValue], context: AnyObject? = nil) throws(ExpressionError)
        -> ExpressionValue
    {
        try evaluator(EvaluationInput(slots: slots, context: context))
    }

    /// Filter semantics: only `true` passes; `null` (unknown) does not; anything that is not a
    /// boolean is an error, because silently dropping rows on a typo'd expression hides bugs.
    public func isSatisfied(by slots: [ExpressionValue], context: AnyObject? = nil) throws(ExpressionError) -> Bool {
        switch try evaluator(EvaluationInput(slots: slots, context: context)) {
        case .bool(let value): return value
        case .null: return false
        case let other:
            throw ExpressionError("condition must be boolean, got \(other.typeName) \(other)", column: 1)
        }
    }
}
