/// Text functions. Matching (`contains`, `starts_with`, `ends_with`) compares UTF-8 bytes
/// exactly: fast, and predictable for identifiers and codes; no Unicode normalisation is applied.
enum StringFunctions {
    static let all: [ExpressionFunction] = [
        .binary("contains") { text, part throws(ExpressionError) in
            let (haystack, needle) = (try string(text, "contains"), try string(part, "contains"))
            return .bool(ByteSearch.contains(haystack, needle))
        },
        .binary("starts_with") { text, prefix throws(ExpressionError) in
            let (whole, start) = (try string(text, "starts_with"), try string(prefix, "starts_with"))
            return .bool(whole.utf8.starts(with: start.utf8))
        },
        .binary("ends_with") { text, suffix throws(ExpressionError) in
            let (whole, end) = (try string(text, "ends_with"), try string(suffix, "ends_with"))
            return .bool(whole.utf8.reversed().starts(with: end.utf8.reversed()))
        },
        .unary("lower") { value throws(ExpressionError) in .string(try string(value, "lower").lowercased()) },
        .unary("upper") { value throws(ExpressionError) in .string(try string(value, "upper").uppercased()) },
        .unary("trim") { value throws(ExpressionError) in
            let text = try string(value, "trim")
            let trimmed = text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
            return .string(String(trimmed))
        },
        .unary("length") { value throws(ExpressionError) in .integer(Int64(try string(value, "length").count)) },
        /// Joins the text of its arguments, skipping nulls (unlike `||`, which gives null).
        .variadic("concat", arity: .atLeast(1), propagatesNull: false) { values in
            .string(values.reduce(into: "") { result, value in if !value.isNull { result += value.text } })
        },
    ]

    private static func string(_ value: ExpressionValue, _ function: String) throws(ExpressionError) -> String {
        try StandardFunctions.requireString(value, function)
    }
}

enum ByteSearch {
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        var haystack = haystack
        var needle = needle
        return haystack.withUTF8 { hay in
            needle.withUTF8 { pin in
                guard pin.count <= hay.count, let first = pin.first else { return false }
                var index = 0
                let last = hay.count - pin.count
                while index <= last {
                    if hay[index] == first, memoryEqual(hay, index, pin) { return true }
                    index += 1
                }
                return false
            }
        }
    }

    private static func memoryEqual(_ hay: UnsafeBufferPointer<UInt8>, _ offset: Int, _ pin: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        for position in 1..<pin.count where hay[offset + position] != pin[position] { return false }
        return true
    }
}
