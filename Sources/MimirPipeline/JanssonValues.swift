import CJansson
import MimirExpressions

/// Converts jansson objects to rows directly, without building `JSONValue` dictionaries per
/// record, and keeps key order (jansson preserves insertion order; Swift dictionaries do not).
enum JanssonValues {
    /// The object's keys in document order.
    static func keys(of object: UnsafeMutablePointer<json_t>) -> [String] {
        var names: [String] = []
        var iterator = json_object_iter(object)
        while let current = iterator {
            if let key = json_object_iter_key(current) {
                let bytes = UnsafeRawBufferPointer(start: key, count: json_object_iter_key_len(current))
                names.append(String(decoding: bytes, as: UTF8.self))
            }
            iterator = json_object_iter_next(object, current)
        }
        return names
    }

    /// Values for `keys` (missing keys give null; extra keys are ignored).
    static func row(from object: UnsafeMutablePointer<json_t>, keys: [[CChar]]) -> [ExpressionValue] {
        var values: [ExpressionValue] = []
        values.reserveCapacity(keys.count)
        for key in keys {
            let member = key.withUnsafeBufferPointer { json_object_getn(object, $0.baseAddress, $0.count) }
            values.append(member.map(value) ?? .null)
        }
        return values
    }

    /// Nested arrays and objects become their compact JSON text.
    static func value(_ json: UnsafeMutablePointer<json_t>) -> ExpressionValue {
        switch json.pointee.type {
        case JSON_STRING:
            let bytes = UnsafeRawBufferPointer(start: json_string_value(json), count: json_string_length(json))
            return .string(String(decoding: bytes, as: UTF8.self))
        case JSON_INTEGER: return .integer(Int64(json_integer_value(json)))
        case JSON_REAL: return .number(json_real_value(json))
        case JSON_TRUE: return .bool(true)
        case JSON_FALSE: return .bool(false)
        case JSON_OBJECT, JSON_ARRAY:
            guard let text = json_dumps(json, Int(JSON_COMPACT | JSON_ENCODE_ANY)) else { return .null }
            defer { free(text) }
            return .string(String(cString: text))
        default: return .null
        }
    }

    static func cKeys(_ names: [String]) -> [[CChar]] {
        names.map { name in name.utf8.map { CChar(bitPattern: $0) } }
    }

    /// Parses one JSON text; the error message is jansson's, which names the position.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<UnsafeMutablePointer<json_t>, JanssonFailure> {
        var error = json_error_t()
        let flags = Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
        let root = bytes.withMemoryRebound(to: CChar.self) { chars in
            json_loadb(chars.baseAddress ?? UnsafePointer(bitPattern: 1), chars.count, flags, &error)
        }
        guard let root else {
            let message = withUnsafeBytes(of: error.text) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .failure(JanssonFailure(message: "invalid JSON: \(message) (column \(error.column))"))
        }
        return .success(root)
    }

    static func typeName(_ json: UnsafeMutablePointer<json_t>) -> String {
        switch json.pointee.type {
        case JSON_OBJECT: "object"
        case JSON_ARRAY: "array"
        case JSON_STRING: "string"
        case JSON_INTEGER: "integer"
        case JSON_REAL: "number"
        case JSON_TRUE, JSON_FALSE: "boolean"
        default: "null"
        }
    }
}

struct JanssonFailure: Error {
    let message: String
}
