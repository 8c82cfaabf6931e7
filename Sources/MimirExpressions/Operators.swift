/// The semantics of the built-in operators. Integers stay integers and overflow is an error
/// (never a trap); mixing an integer with a number gives a number; `null` in gives `null` out.
enum Operators {
    static func add(_ left: ExpressionValue, _ right: ExpressionValue, column: Int) throws(ExpressionError)
        -> ExpressionValue
    {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            let (sum, overflow) = a.addingReportingOverflow(b)
            if overflow { throw overflowError("+", a, b, column: column) }
            return .integer(sum)
        case (.number(let a), .number(let b)): return .number(a + b)
        case (.integer(let a), .number(let b)): return .number(Double(a) + b)
        case (.number(let a), .integer(let b)): return .number(a + Double(b))
        case (.null, _), (_, .null): return .null
        default: throw arithmeticError("+", left, right, column: column)
        }
    }

    static func subtract(_ left: ExpressionValue, _ right: ExpressionValue, column: Int) throws(ExpressionError)
        -> ExpressionValue
    {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            let (difference, overflow) = a.subtractingReportingOverflow(b)
            if overflow { throw overflowError("-", a, b, column: column) }
            return .integer(difference)
        case (.number(let a), .number(let b)): return .number(a - b)
        case (.integer(let a), .number(let b)): return .number(Double(a) - b)
        case (.number(let a), .integer(let b)): return .number(a - Double(b))
        case (.null, _), (_, .null): return .null
        default: throw arithmeticError("-", left, right, column: column)
        }
    }

    static func multiply(_ left: ExpressionValue, _ right: ExpressionValue, column: Int) throws(ExpressionError)
        -> ExpressionValue
    {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            if overflow { throw overflowError("*", a, b, column: column) }
            return .integer(product)
        case (.number(let a), .number(let b)): return .number(a * b)
        case (.integer(let a), .number(let b)): return .number(Double(a) * b)
        case (.number(let a), .integer(let b)): return .number(a * Double(b))
        case (.null, _), (_, .null): return .null
        default: throw arithmeticError("*", left, right, column: column)
        }
    }

    /// Always a number, even for two integers: `7 / 2` is 3.5, not a silently truncated 3.
    /// Dividing by zero is an error rather than infinity or null, so bad data is reported.
    static func divide(_ left: ExpressionValue, _ right: ExpressionValue, column: Int) throws(ExpressionError)
        -> ExpressionValue
    {
        if left.isNull || right.isNull { return .null }
        guard let a = left.doubleValue, let b = right.doubleValue else {
            throw arithmeticError("/", left, right, column: column)
        }
        if b == 0 { throw ExpressionError("division by zero", column: column) }
        return .number(a / b)
    }

    /// Integer remainder for integers (sign follows the dividend), otherwise a truncating
    /// floating remainder; zero divisor is an error like division.
    static func remainder(_ left: ExpressionValue, _ right: ExpressionValue, column: Int) throws(ExpressionError)
        -> ExpressionValue
    {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            if b == 0 { throw ExpressionError("division by zero", column: column) }
            let (result, overflow) = a.remainderReportingOverflow(dividingBy: b)
            return .integer(overflow ? 0 : result)
        case (.null, _), (_, .null): return .null
        default:
            guard let a = left.doubleValue, let b = right.doubleValue else {
                throw arithmeticError("%", left, right, column: column)
            }
            if b == 0 { throw ExpressionError("division by zero", column: column) }
            return .number(a.truncatingRemainder(dividingBy: b))
        }
    }

    /// `||` joins the text of any two non-null values, so `'id-' || 7` is `'id-7'`.
    static func concat(_ left: ExpressionValue, _ right: ExpressionValue) -> ExpressionValue {
        if left.isNull || right.isNull { return .null }
        return .string(left.text + right.text)
    }

    static func negate(_ value: ExpressionValue, column: Int) throws(ExpressionError) -> ExpressionValue {
        switch value {
        case .integer(let a):
            guard a != .min else { throw ExpressionError("integer overflow in -\(a)", column: column) }
            return .integer(-a)
        case .number(let a): return .number(-a)
        case .null: return .null
        default: throw ExpressionError("cannot negate \(value.excerpt)", column: column)
        }
    }

    static func not(_ value: ExpressionValue, column: Int) throws(ExpressionError) -> ExpressionValue {
        switch value {
        case .bool(let flag): return .bool(!flag)
        case .null: return .null
        default: throw ExpressionError("'not' needs a boolean, got \(value.excerpt)", column: column)
        }
    }

    private static func overflowError(_ symbol: String, _ a: Int64, _ b: Int64, column: Int) -> ExpressionError {
        ExpressionError("integer overflow in \(a) \(symbol) \(b)", column: column)
    }

    private static func arithmeticError(
        _ symbol: String, _ left: ExpressionValue, _ right: ExpressionValue, column: Int
    ) -> ExpressionError {
        let hint =
            symbol == "+" && (left.stringValue != nil || right.stringValue != nil) ? " (use || to join text)" : ""
        return ExpressionError(
            "cannot apply '\(symbol)' to \(left.excerpt) and \(right.excerpt)\(hint)", column: column)
    }
}
