/// `to_number` and `to_string`, plus the text-to-number rule the pipeline's casts share.
enum ConversionFunctions {
    static let all: [ExpressionFunction] = [
        .unary("to_number") { value throws(ExpressionError) in
            switch value {
            case .integer, .number: return value
            case .string(let text):
                guard let number = ExpressionValue.parseNumber(text) else {
                    throw ExpressionError("to_number() cannot convert \(value.excerpt)")
                }
                return number
            default: throw ExpressionError("to_number() cannot convert \(value.excerpt)")
            }
        },
        .unary("to_string") { value in .string(value.text) },
    ]
}

extension ExpressionValue {
    /// Parses trimmed text as an integer when it is one, else as a finite number; `nil` if it is
    /// neither. Used by `to_number` and by pipeline casts so both agree.
    public static func parseNumber(_ text: String) -> ExpressionValue? {
        let trimmed = text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        let plain = String(trimmed)
        if let integer = Int64(plain) { return .integer(integer) }
        guard !plain.isEmpty, let number = Double(plain), number.isFinite else { return nil }
        return .number(number)
    }
}
