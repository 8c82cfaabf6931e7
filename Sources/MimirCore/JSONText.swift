import CJansson

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Why a text is not the JSON it should be, with where: line, column and byte offset.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable, Hashable {
    public let message: String
    public let line: Int
    public let column: Int
    /// Byte offset from the start of the text.
    public let position: Int

    public init(message: String, line: Int, column: Int, position: Int) {
        self.message = message
        self.line = line
        self.column = column
        self.position = position
    }

    public var description: String {
        line > 0 ? "\(message) at line \(line), column \(column) (byte \(position))" : message
    }
}

extension JSONValue {
    /// Parses UTF-8 JSON text strictly per RFC 8259 (no trailing commas, comments or NaN), any
    /// value at the top level, duplicate object keys refused. jansson does the parsing: it is
    /// strict where Foundation's decoder is lenient, and it reports where a text went wrong.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(JSONSyntaxError) in try parse(bytes) } }.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONSyntaxError) in try parse(buffer) }
        }.get()
    }

    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        try data.withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) in try parse(raw.bindMemory(to: UInt8.self)) }
        }.get()
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let flags = Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
        do throws(JSONSyntaxError) {
            return try load(bytes, flags: flags)
        } catch  where error.message.hasPrefix("too big integer") {
            // RFC 8259 puts no limit on integers; jansson's are 64-bit. A text with a larger one is
            // still JSON: read its integers as doubles (what most parsers do with them), then give
            // back the whole ones that fit their 64-bit form.
            return try load(bytes, flags: flags | Int(JSON_DECODE_INT_AS_REAL)).wholeNumbersAsIntegers()
        }
    }

    private static func load(_ bytes: UnsafeBufferPointer<UInt8>, flags: Int) throws(JSONSyntaxError) -> JSONValue {
        var error = json_error_t()
        let root = bytes.withMemoryRebound(to: CChar.self) { chars in
            json_loadb(chars.baseAddress ?? UnsafePointer(bitPattern: 1), chars.count, flags, &error)
        }
        guard let root else {
            let message = withUnsafeBytes(of: error.text) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            throw JSONSyntaxError(
                message: message, line: Int(error.line), column: Int(error.column), position: Int(error.position))
        }
        defer { json_decref(root) }
        return JSONValue(jansson: root)
    }

    private func wholeNumbersAsIntegers() -> JSONValue {
        switch self {
        case .number(let number) where number.rounded() == number && abs(number) < 9.2e18:
            return .integer(Int64(number))
        case .array(let elements):
            return .array(elements.map { $0.wholeNumbersAsIntegers() })
        case .object(let members):
            return .object(members.mapValues { $0.wholeNumbersAsIntegers() })
        default:
            return self
        }
    }

    private init(jansson value: UnsafeMutablePointer<json_t>) {
        switch value.pointee.type {
        case JSON_OBJECT:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(json_object_size(value))
            var iterator = json_object_iter(value)
            while let current = iterator {
                if let key = json_object_iter_key(current), let member = json_object_iter_value(current) {
                    let keyBytes = UnsafeRawBufferPointer(start: key, count: json_object_iter_key_len(current))
                    members[String(decoding: keyBytes, as: UTF8.self)] = JSONValue(jansson: member)
                }
                iterator = json_object_iter_next(value, current)
            }
            self = .object(members)
        case JSON_ARRAY:
            let count = json_array_size(value)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                if let element = json_array_get(value, index) { elements.append(JSONValue(jansson: element)) }
            }
            self = .array(elements)
        case JSON_STRING:
            let bytes = UnsafeRawBufferPointer(start: json_string_value(value), count: json_string_length(value))
            self = .string(String(decoding: bytes, as: UTF8.self))
        case JSON_INTEGER:
            self = .integer(Int64(json_integer_value(value)))
        case JSON_REAL:
            self = .number(json_real_value(value))
        case JSON_TRUE:
            self = .bool(true)
        case JSON_FALSE:
            self = .bool(false)
        default:
            self = .null
        }
    }
}
