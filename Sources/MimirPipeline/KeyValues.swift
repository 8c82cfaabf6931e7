import MimirExpressions

/// Keys for dedupe, group-by and join compare like `=`: an integral number equals the integer
/// with the same value (1 and 1.0 are one key). Other types never equal each other.
enum KeyValues {
    @inline(__always)
    static func normalized(_ value: ExpressionValue) -> ExpressionValue {
        if case .number(let number) = value, let whole = Int64(exactly: number) { return .integer(whole) }
        return value
    }

    static func key(_ values: [ExpressionValue], _ indices: [Int]) -> [ExpressionValue] {
        indices.map { normalized(values[$0]) }
    }
}
