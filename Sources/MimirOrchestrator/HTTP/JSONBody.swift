import Hummingbird
import MimirCore
import NIOCore

/// Reads a request body as JSON: the content type must be JSON (415), the size within the limit
/// (413), the text valid JSON (400, with where it went wrong).
enum JSONBody {
    static func read(_ request: Request, limit: Int) async throws(APIError) -> JSONValue {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        // Media types hold no whitespace; parameters such as charset follow the ";".
        let mediaType = contentType.split(separator: ";").first.map { $0.filter { $0 != " " && $0 != "\t" } } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
        else {
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
        do {
            // Raw bytes, not a String: jansson then refuses invalid UTF-8 instead of it being
            // silently replaced.
            return try JSONValue.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError(
                status: .badRequest, code: "malformed_json", message: "the body is not valid JSON: \(error)",
                extra: [
                    "line": .integer(Int64(error.line)), "column": .integer(Int64(error.column)),
                    "position": .integer(Int64(error.position)),
                ])
        }
    }
}
