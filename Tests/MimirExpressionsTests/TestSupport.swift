import MimirExpressions

/// Parses, binds against `columns` and evaluates on one row.
func evaluate(
    _ text: String, columns: [String] = [], row: [ExpressionValue] = [], functions: FunctionTable = .standard
) throws -> ExpressionValue {
    try Expression.parse(text).bind(columns: columns, functions: functions).evaluate(row)
}

/// The error message (with column) an expression fails with at any stage, or nil.
func failure(
    _ text: String, columns: [String] = [], row: [ExpressionValue] = [], functions: FunctionTable = .standard
) -> String? {
    do {
        _ = try evaluate(text, columns: columns, row: row, functions: functions)
        return nil
    } catch {
        return "\(error)"
    }
}
