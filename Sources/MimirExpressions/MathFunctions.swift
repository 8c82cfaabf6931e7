/// Numeric functions. Integer inputs keep integer results where the operation allows (`abs`,
/// `round`, `floor`, `ceil`), matching how arithmetic keeps integers exact.
enum MathFunctions {
    static let all: [ExpressionFunction] = [
        .unary("abs") { value throws(ExpressionError) in
            switch value {
            case .integer(let a):
                guard a != .min else { throw ExpressionError("integer overflow in abs(\(a))") }
                return .integer(Swift.abs(a))
            default: return .number(Swift.abs(try number(value, "abs")))
            }
        },
        .variadic("round", arity: .between(1, 2)) { values throws(ExpressionError) in
            try round(values[0], digits: values.count > 1 ? values[1] : .integer(0))
        },
        .unary("floor") { value throws(ExpressionError) in
            if case .integer = value { return value }
            return .number(try number(value, "floor").rounded(.down))
        },
        .unary("ceil") { value throws(ExpressionError) in
            if case .integer = value { return value }
            return .number(try number(value, "ceil").rounded(.up))
        },
        .unary("sqrt") { value throws(ExpressionError) in
            let x = try number(value, "sqrt")
            guard x >= 0 else { throw ExpressionError("sqrt() of negative number \(value)") }
            return .number(x.squareRoot())
        },
        extremum("min", keepIf: { $0 < 0 }),
        extremum("max", keepIf: { $0 > 0 }),
    ]

    private static func number(_ value: ExpressionValue, _ function: String) throws(ExpressionError) -> Double {
        try StandardFunctions.requireNumber(value, function)
    }

    /// Rounds half away from zero to `digits` decimal places; negative digits round to tens,
    /// hundreds…; an integer stays an integer.
    static func round(_ value: ExpressionValue, digits: ExpressionValue) throws(ExpressionError) -> ExpressionValue {
        guard case .integer(let places) = digits, places >= -18, places <= 18 else {
            throw ExpressionError("round() digits must be an integer from -18 to 18, got \(digits.excerpt)")
        }
        if case .integer(let whole) = value {
            guard places < 0 else { return value }
            var scale: Int64 = 1
            for _ in 0..<(-places) { scale *= 10 }
            let rounded = (Double(whole) / Double(scale)).rounded(.toNearestOrAwayFromZero) * Double(scale)
            guard let exact = Int64(exactly: rounded) else { throw ExpressionError("integer overflow in round()") }
            return .integer(exact)
        }
        let x = try number(value, "round")
        var scale = 1.0
        for _ in 0..<Swift.abs(places) { scale *= 10 }
        if places >= 0 { return .number((x * scale).rounded(.toNearestOrAwayFromZero) / scale) }
        return .number((x / scale).rounded(.toNearestOrAwayFromZero) * scale)
    }

    /// `min`/`max` ignore nulls (null only when every argument is null), like SQL's aggregates.
    private static func extremum(_ name: String, keepIf better: @escaping @Sendable (Int) -> Bool)
        -> ExpressionFunction
    {
        .variadic(name, arity: .atLeast(1), propagatesNull: false) { values throws(ExpressionError) in
            var best = ExpressionValue.null
            for value in values where !value.isNull {
                if best.isNull {
                    best = value
                } else if let ordering = try Comparison.order(value, best), better(ordering) {
                    best = value
                }
            }
            return best
        }
    }
}
