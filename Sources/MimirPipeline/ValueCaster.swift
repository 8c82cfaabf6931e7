import MimirExpressions

/// The `cast` step's conversions. Empty text becomes null for every target except `string`,
/// since an empty CSV field means "no value". Lossy conversions (3.5 to integer, "maybe" to
/// boolean) are row errors rather than silent truncation.
enum ValueCaster {
    static func cast(_ value: ExpressionValue, to type: CastType) -> Result<ExpressionValue, CastFailure> {
        if value.isNull { return .success(.null) }
        if type != .string, case .string(let text) = value, text.allSatisfy(\.isWhitespace) { return .success(.null) }
        let converted: ExpressionValue? =
            switch type {
            case .integer: integer(value)
            case .number: number(value)
            case .string: .string(value.text)
            case .boolean: boolean(value)
            case .timestamp: timestamp(value)
            }
        guard let converted else { return .failure(CastFailure(value: value, type: type)) }
        return .success(converted)
    }

    private static func integer(_ value: ExpressionValue) -> ExpressionValue? {
        switch value {
        case .integer: return value
        case .number(let number): return Int64(exactly: number).map(ExpressionValue.integer)
        case .bool(let flag): return .integer(flag ? 1 : 0)
        case .string(let text):
            switch ExpressionValue.parseNumber(text) {
            case .some(.integer(let whole)): return .integer(whole)
            case .some(.number(let number)): return Int64(exactly: number).map(ExpressionValue.integer)
            default: return nil
            }
        case .null: return .null
        }
    }

    private static func number(_ value: ExpressionValue) -> ExpressionValue? {
        switch value {
        case .integer(let whole): return .number(Double(whole))
        case .number: return value
        case .bool(let flag): return .number(flag ? 1 : 0)
        case .string(let text): return ExpressionValue.parseNumber(text)?.doubleValue.map(ExpressionValue.number)
        case .null: return .null
        }
    }

    private static let trueWords: Set<String> = ["true", "t", "yes", "y", "1"]
    private static let falseWords: Set<String> = ["false", "f", "no", "n", "0"]

    private static func boolean(_ value: ExpressionValue) -> ExpressionValue? {
        switch value {
        case .bool: return value
        case .integer(let whole): return whole == 0 || whole == 1 ? .bool(whole == 1) : nil
        case .number(let number): return number == 0 || number == 1 ? .bool(number == 1) : nil
        case .string(let text):
            let word = String(text.lowercased().filter { !$0.isWhitespace })
            if trueWords.contains(word) { return .bool(true) }
            if falseWords.contains(word) { return .bool(false) }
            return nil
        case .null: return .null
        }
    }

    /// Text in ISO 8601 form, or numbers as Unix epoch seconds.
    private static func timestamp(_ value: ExpressionValue) -> ExpressionValue? {
        switch value {
        case .string(let text): Timestamp.normalize(text).map(ExpressionValue.string)
        case .integer(let seconds): Timestamp.fromEpoch(seconds: Double(seconds)).map(ExpressionValue.string)
        case .number(let seconds): Timestamp.fromEpoch(seconds: seconds).map(ExpressionValue.string)
        default: nil
        }
    }
}

struct CastFailure: Error {
    let value: ExpressionValue
    let type: CastType

    var message: String { "cannot cast \(value.typeName) \(value) to \(type.rawValue)" }
}
