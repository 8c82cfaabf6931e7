/// A parse, bind or evaluation failure. `column` is 1-based in characters of the expression
/// text, so a caller can print the text and a caret under the offending spot.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public let column: Int?

    public init(_ message: String, column: Int? = nil) {
        self.message = message
        self.column = column
    }

    public var description: String {
        guard let column else { return message }
        return "\(message) at column \(column)"
    }

    /// The same error pinned to `column` unless it already knows where it happened; lets
    /// function bodies throw without knowing their position in the text.
    func located(at column: Int) -> ExpressionError {
        self.column == nil ? ExpressionError(message, column: column) : self
    }

    static func typeMismatch(
        _ operation: String, _ left: ExpressionValue, _ right: ExpressionValue, column: Int
    ) -> ExpressionError {
        ExpressionError("cannot \(operation) \(left.typeName) and \(right.typeName)", column: column)
    }
}
