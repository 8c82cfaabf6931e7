/// Ordering and equality shared by comparison operators, `in`, `min`/`max` and callers such as
/// the pipeline's aggregates. Integers and numbers compare by value; strings compare by Unicode
/// order; other mixtures are errors that name both types.
public enum Comparison {
    /// -1, 0 or 1; `nil` when either side is null (SQL: unknown).
    public static func order(_ left: ExpressionValue, _ right: ExpressionValue) throws(ExpressionError) -> Int? {
        switch (left, right) {
        case (.integer(let a), .integer(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.number(let a), .number(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.integer(let a), .number(let b)): return order(Double(a), b)
        case (.number(let a), .integer(let b)): return order(a, Double(b))
        case (.string(let a), .string(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        case (.null, _), (_, .null): return nil
        default: throw mismatch(left, right)
        }
    }

    /// Equality without building an ordering; `nil` when either side is null.
    public static func equals(_ left: ExpressionValue, _ right: ExpressionValue) throws(ExpressionError) -> Bool? {
        switch (left, right) {
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.integer(let a), .number(let b)): return Double(a) == b
        case (.number(let a), .integer(let b)): return a == Double(b)
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, _), (_, .null): return nil
        default: throw mismatch(left, right)
        }
    }

    private static func order(_ a: Double, _ b: Double) -> Int {
        a < b ? -1 : (a == b ? 0 : 1)
    }

    static func mismatch(_ left: ExpressionValue, _ right: ExpressionValue) -> ExpressionError {
        ExpressionError("cannot compare \(left.excerpt) with \(right.excerpt)")
    }

    static func compare(
        _ op: BinaryOperator, _ left: ExpressionValue, _ right: ExpressionValue, column: Int
    ) throws(ExpressionError) -> ExpressionValue {
        do throws(ExpressionError) {
            switch op {
            case .equal: return try equals(left, right).map(ExpressionValue.bool) ?? .null
            case .notEqual: return try equals(left, right).map { .bool(!$0) } ?? .null
            default:
                guard let ordering = try order(left, right) else { return .null }
                switch op {
                case .less: return .bool(ordering < 0)
                case .lessOrEqual: return .bool(ordering <= 0)
                case .greater: return .bool(ordering > 0)
                default: return .bool(ordering >= 0)
                }
            }
        } catch {
            throw error.located(at: column)
        }
    }
}
