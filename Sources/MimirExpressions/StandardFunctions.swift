/// The built-in function set: `FunctionTable.standard`.
enum StandardFunctions {
    static var all: [ExpressionFunction] {
        StringFunctions.all + MathFunctions.all + ConditionalFunctions.all + ConversionFunctions.all
    }

    static func requireString(_ value: ExpressionValue, _ function: String) throws(ExpressionError) -> String {
        guard case .string(let text) = value else {
            throw ExpressionError("\(function)() needs text, got \(value.excerpt)")
        }
        return text
    }

    static func requireNumber(_ value: ExpressionValue, _ function: String) throws(ExpressionError) -> Double {
        guard let number = value.doubleValue else {
            throw ExpressionError("\(function)() needs a number, got \(value.excerpt)")
        }
        return number
    }
}
