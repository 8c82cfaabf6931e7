/// `if` and `coalesce` are special functions so that only the chosen branch is evaluated:
/// `if(qty = 0, null, price / qty)` must not fail on the division it guards against.
enum ConditionalFunctions {
    static let all: [ExpressionFunction] = [
        .special("if", arity: .exactly(3)) { call, binder throws(ExpressionError) in
            let condition = try binder.compile(call.arguments[0])
            let whenTrue = try binder.compile(call.arguments[1])
            let whenFalse = try binder.compile(call.arguments[2])
            let column = call.column
            return { input throws(ExpressionError) in
                switch try condition(input) {
                case .bool(true): return try whenTrue(input)
                case .bool(false), .null: return try whenFalse(input)
                case let other:
                    throw ExpressionError("if() condition must be boolean, got \(other.excerpt)", column: column)
                }
            }
        },
        .special("coalesce", arity: .atLeast(1)) { call, binder throws(ExpressionError) in
            var evaluators: [Evaluator] = []
            for argument in call.arguments { evaluators.append(try binder.compile(argument)) }
            let candidates = evaluators
            return { input throws(ExpressionError) in
                for candidate in candidates {
                    let value = try candidate(input)
                    if !value.isNull { return value }
                }
                return .null
            }
        },
    ]
}
