/// One RESP2 reply, as hiredis 0.14 decodes it.
///
/// Bulk strings stay bytes because Redis values are binary (serialized payloads, hashes); decoding
/// to text is the caller's choice through ``string``. An error reply appears as ``error(_:)`` only
/// inside an array (a pipeline's results, the replies of EXEC): a top-level error is thrown as a
/// ``RedisError`` of kind ``RedisError/Kind/server`` so it cannot be mistaken for a value.
public enum RedisReply: Sendable, Hashable {
    case null
    case status(String)
    case integer(Int64)
    case bulk([UInt8])
    case array([RedisReply])
    case error(String)

    /// The text of a bulk string or status reply; `nil` for other replies and for bytes that are not
    /// valid UTF-8 (rather than silently replacing them).
    public var string: String? {
        switch self {
        case .status(let text):
            return text
        case .bulk(let bytes):
            return Self.utf8Text(bytes)
        default:
            return nil
        }
    }

    /// `String(validating:as:)` reaches the standard library unspecialised here and looks up
    /// generic metadata on every call (2 % of a submission's CPU time, reading a job's fields).
    /// Decoding repairs invalid UTF-8, so the text is the bytes exactly when they were valid.
    private static func utf8Text(_ bytes: [UInt8]) -> String? {
        var text = bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
        let unchanged = text.withUTF8 { decoded in
            bytes.withUnsafeBufferPointer { original in original.elementsEqual(decoded) }
        }
        return unchanged ? text : nil
    }

    /// An integer reply, or a bulk string holding a decimal integer (what GET returns after INCR).
    public var int: Int64? {
        switch self {
        case .integer(let value):
            return value
        case .bulk(let bytes):
            return String(validating: bytes, as: UTF8.self).flatMap { Int64($0) }
        default:
            return nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The bytes of a bulk string, or of a status reply's text.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes):
            return bytes
        case .status(let text):
            return Array(text.utf8)
        default:
            return nil
        }
    }

    /// A nil bulk string or nil array: a missing key, a BLMOVE that timed out, an EXEC aborted by WATCH.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension RedisReply: CustomStringConvertible {
    /// A short, bounded rendering for logs and test failures: long bulk strings are cut.
    public var description: String {
        switch self {
        case .null:
            return "(nil)"
        case .status(let text):
            return text
        case .integer(let value):
            return "(integer) \(value)"
        case .bulk(let bytes):
            let shown = bytes.prefix(64)
            let text = String(decoding: shown, as: UTF8.self)
            return "\"\(text)\(bytes.count > shown.count ? "…(\(bytes.count) bytes)" : "")\""
        case .array(let elements):
            return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .error(let message):
            return "(error) \(message)"
        }
    }
}
