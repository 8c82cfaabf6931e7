import MimirExpressions

/// Turns the bytes of one CSV field into a value. With type inference, unquoted and quoted
/// text alike becomes an integer, number or boolean when it is exactly one; an empty unquoted
/// field is null while `""` stays an empty string. Numbers with leading zeros (`007`) stay
/// text, because they are usually codes, not quantities.
enum FieldDecoder {
    static func value(
        _ bytes: UnsafeBufferPointer<UInt8>, _ field: CSVRecordParser.Field, inferTypes: Bool
    ) -> ExpressionValue {
        let slice = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
        if field.hasEscapedQuotes {
            return .string(unescaped(slice))
        }
        if slice.isEmpty {
            return inferTypes && !field.quoted ? .null : .string("")
        }
        if inferTypes, let inferred = infer(slice) { return inferred }
        return .string(String(decoding: slice, as: UTF8.self))
    }

    /// Collapses doubled quotes; escaped fields are strings (no inference).
    private static func unescaped(_ slice: UnsafeBufferPointer<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(slice.count)
        var index = 0
        while index < slice.count {
            bytes.append(slice[index])
            index += slice[index] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func infer(_ slice: UnsafeBufferPointer<UInt8>) -> ExpressionValue? {
        let first = slice[0]
        if first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
            || first == UInt8(ascii: ".")
        {
            return number(slice)
        }
        switch slice.count {
        case 4 where matches(slice, "true"): return .bool(true)
        case 5 where matches(slice, "false"): return .bool(false)
        default: return nil
        }
    }

    /// `true`/`True`/`TRUE` and likewise for false.
    private static func matches(_ slice: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        let lowercaseBit: UInt8 = 0x20
        let allUpper = slice.allSatisfy { $0 < UInt8(ascii: "a") }
        for index in 0..<slice.count {
            let expected = word.utf8Start[index]
            let byte = slice[index]
            let folded = index == 0 || allUpper ? byte | lowercaseBit : byte
            if folded != expected { return false }
        }
        return true
    }

    /// JSON-style number grammar. Integers that fit `Int64` stay integers; decimals with at
    /// most 15 significant digits are converted exactly without a string (Clinger's fast path),
    /// others go through the standard library's correctly rounded parser.
    static func number(_ slice: UnsafeBufferPointer<UInt8>) -> ExpressionValue? {
        var index = 0
        let count = slice.count
        let negative = slice[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        let integerStart = index
        var mantissa: UInt64 = 0
        var digits = 0
        while index < count, slice[index] &- UInt8(ascii: "0") < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(slice[index] &- UInt8(ascii: "0")) }
            digits += 1
            index += 1
        }
        let integerDigits = index - integerStart
        if integerDigits > 1, slice[integerStart] == UInt8(ascii: "0") { return nil }
        if index == count {
            guard integerDigits > 0 else { return nil }
            if digits <= 18 { return .integer(negative ? -Int64(mantissa) : Int64(mantissa)) }
            return Int64(String(decoding: slice, as: UTF8.self)).map(ExpressionValue.integer) ?? slowNumber(slice)
        }
        var fractionDigits = 0
        if slice[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, slice[index] &- UInt8(ascii: "0") < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(slice[index] &- UInt8(ascii: "0")) }
                digits += 1
                fractionDigits += 1
                index += 1
            }
            if fractionDigits == 0 { return nil }
        }
        if integerDigits == 0, fractionDigits == 0 { return nil }
        if index == count {
            if digits <= 15 {
                let value = Double(mantissa) / powersOfTen[fractionDigits]
                return .number(negative ? -value : value)
            }
            return slowNumber(slice)
        }
        // An exponent must follow: [eE][+-]?digits.
        guard slice[index] | 0x20 == UInt8(ascii: "e") else { return nil }
        index += 1
        if index < count, slice[index] == UInt8(ascii: "+") || slice[index] == UInt8(ascii: "-") { index += 1 }
        let exponentStart = index
        while index < count, slice[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        guard index == count, index > exponentStart else { return nil }
        return slowNumber(slice)
    }

    private static func slowNumber(_ slice: UnsafeBufferPointer<UInt8>) -> ExpressionValue? {
        guard let value = Double(String(decoding: slice, as: UTF8.self)), value.isFinite else { return nil }
        return .number(value)
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
