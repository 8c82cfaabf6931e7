import MimirCore

/// How one cell reads once the caller's representation is set aside: CSV delivers every cell as
/// a string and JSON Lines as typed values, and the two must mean the same thing.
enum Cell: Equatable {
    case missing
    case number(Double)
    case text(String)

    /// Null, an empty or blank string and the string "nan" (any case) are missing, because that is
    /// how CSV writers (pandas among them) spell a missing number. A string that parses as a finite
    /// number is a number; anything else is text.
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .missing
        case .integer(let number): self = .number(Double(number))
        case .number(let number): self = number.isFinite ? .number(number) : .missing
        case .bool(let flag): self = .text(flag ? "true" : "false")
        case .string(let raw):
            let text = raw.trimmingSpaces
            if text.isEmpty || text.lowercased() == "nan" {
                self = .missing
            } else if let number = Double(text), number.isFinite {
                self = .number(number)
            } else {
                self = .text(text)
            }
        case .array, .object: self = .text(value.jsonText())
        }
    }

    var isMissing: Bool { self == .missing }

    /// The category a cell names. Whole numbers print without a fraction so that the CSV cell "3"
    /// and the JSON number 3 (or 3.0) are the same category.
    var categoryKey: String? {
        switch self {
        case .missing: return nil
        case .text(let text): return text
        case .number(let number):
            if number.rounded() == number, let whole = Int64(exactly: number) { return String(whole) }
            return number.description
        }
    }

    /// The cell as it appeared, for error messages.
    static func display(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): MLError.show(text)
        default: value.jsonText()
        }
    }
}

extension String {
    var trimmingSpaces: String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { !Self.isSpace($0) }) else { return "" }
        guard let last = utf8.lastIndex(where: { !Self.isSpace($0) }) else { return "" }
        if first == utf8.startIndex && utf8.index(after: last) == utf8.endIndex { return self }
        return String(self[first...last])
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
