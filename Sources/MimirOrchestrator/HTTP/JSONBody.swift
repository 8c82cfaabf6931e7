import Hummingbird
import MimirCore
import NIOCore

/// How big and how deeply nested a request body may be.
struct BodyLimits: Sendable {
    var bytes: Int
    var depth: Int
}

/// Reads a request body as JSON: the content type must be JSON (415), the size within the limit
/// (413), the text valid JSON (400, with where it went wrong), nested no deeper than the limit
/// (400, naming where).
enum JSONBody {
    static func read(_ request: Request, limits: BodyLimits) async throws(APIError) -> JSONValue {
        let limit = limits.bytes
        let contentType = request.headers[.contentType] ?? ""
        guard isJSON(mediaType: contentType) else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: contentType.isEmpty
                    ? "the body must be JSON: send Content-Type: application/json"
                    : "the body must be JSON (Content-Type: application/json), got \(contentType)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                status: .contentTooLarge, code: "body_too_large",
                message: "the body is larger than the limit of \(limit) bytes")
        } catch {
            throw APIError.badRequest("unreadable_body", "the body could not be read: \(error)")
        }
        let value: JSONValue
        do {
            // Raw bytes, not a String: jansson then refuses invalid UTF-8 instead of it being
            // silently replaced.
            value = try JSONValue.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError(
                status: .badRequest, code: "malformed_json", message: "the body is not valid JSON: \(error)",
                extra: [
                    "line": .integer(Int64(error.line)), "column": .integer(Int64(error.column)),
                    "position": .integer(Int64(error.position)),
                ])
        }
        if let path = tooDeep(value, limit: limits.depth) {
            throw APIError(
                status: .badRequest, code: "too_deep",
                message:
                    "the body nests arrays and objects deeper than the limit of \(limits.depth) levels, at \(path)",
                extra: ["path": .string(path), "max_depth": .integer(Int64(limits.depth))])
        }
        return value
    }

    /// Whether a Content-Type names JSON: `application/json` or `application/…+json`, in any
    /// case, with any parameters (such as charset) after a ";". Read as bytes: splitting and
    /// lowercasing strings was a percent of a submission's CPU time.
    static func isJSON(mediaType contentType: String) -> Bool {
        // Media types hold no whitespace: what surrounds them is dropped.
        let ascii = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != 0x20 && $0 != 0x09 }
            .map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        let application = Array("application/".utf8)
        guard ascii.starts(with: application) else { return false }
        let subtype = ascii.dropFirst(application.count)
        return subtype.elementsEqual("json".utf8)
            || (subtype.count > 5 && subtype.suffix(5).elementsEqual("+json".utf8))
    }

    /// The JSON pointer of the first container nested deeper than `limit` (the body itself is
    /// level 1), found without recursion so no body can exhaust the stack.
    static func tooDeep(_ value: JSONValue, limit: Int) -> String? {
        // Nearly every body is within the limit: check that without building a path for every
        // member (escaping each key through Foundation was 7 % of a submission's CPU time), and
        // build the paths only for a body that is too deep.
        guard deepest(value, limit: limit) > limit else { return nil }
        return pathTooDeep(value, limit: limit)
    }

    /// The depth of the most nested container, or the first depth found beyond `limit`.
    private static func deepest(_ value: JSONValue, limit: Int) -> Int {
        var stack: [(value: JSONValue, depth: Int)] = [(value, 1)]
        var deepest = 0
        while let (current, depth) = stack.popLast() {
            switch current {
            case .array(let items):
                deepest = max(deepest, depth)
                if depth > limit { return depth }
                for item in items where item.isContainer { stack.append((item, depth + 1)) }
            case .object(let members):
                deepest = max(deepest, depth)
                if depth > limit { return depth }
                for member in members.values where member.isContainer { stack.append((member, depth + 1)) }
            default:
                continue
            }
        }
        return deepest
    }

    private static func pathTooDeep(_ value: JSONValue, limit: Int) -> String? {
        var stack: [(value: JSONValue, depth: Int, path: String)] = [(value, 1, "")]
        while let (current, depth, path) = stack.popLast() {
            switch current {
            case .array(let items):
                if depth > limit { return path.isEmpty ? "/" : path }
                for (index, item) in items.enumerated().reversed() {
                    stack.append((item, depth + 1, "\(path)/\(index)"))
                }
            case .object(let members):
                if depth > limit { return path.isEmpty ? "/" : path }
                for (key, member) in members {
                    let escaped = key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(
                        of: "/", with: "~1")
                    stack.append((member, depth + 1, "\(path)/\(escaped)"))
                }
            default:
                continue
            }
        }
        return nil
    }
}

extension JSONValue {
    fileprivate var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}
