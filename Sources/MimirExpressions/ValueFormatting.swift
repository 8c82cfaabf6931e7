extension ExpressionValue {
    /// The value as text for `||`, `to_string` and CSV output: no quotes, `null` for null.
    public var text: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): value
        }
    }

    /// A short rendering for error messages, so a bad row can be recognised without flooding
    /// the message with a long string.
    var excerpt: String {
        let full = description
        guard full.count > 40 else { return "\(typeName) \(full)" }
        return "\(typeName) \(full.prefix(37))…"
    }
}
