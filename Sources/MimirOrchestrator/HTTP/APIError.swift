import HTTPTypes
import Hummingbird
import MimirCore
import MimirQueue
import NIOCore

/// An error answer of the API: a status and a JSON body naming what was wrong and where.
///
///     {"error": {"status": 422, "code": "invalid_job", "message": "...",
///                "problems": [{"field": "priority", "message": "..."}]}}
struct APIError: Error, HTTPResponseError {
    struct Problem: Sendable, Hashable {
        var field: String
        var message: String
    }

    let status: HTTPResponse.Status
    let code: String
    let message: String
    var problems: [Problem] = []
    var extra: [String: JSONValue] = [:]
    var headers: HTTPFields = [:]
    /// Logged with the request, never sent.
    var logDetail: String? = nil

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: JSONValue] = [
            "status": .integer(Int64(status.code)), "code": .string(code), "message": .string(message),
        ]
        if !problems.isEmpty {
            body["problems"] = .array(problems.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        body.merge(extra) { current, _ in current }
        var response = JSONResponse.make(status, ["error": .object(body)])
        response.headers.append(contentsOf: headers)
        return response
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    /// Maps a queue error: missing → 404, illegal move or lease conflict → 409, Redis → 503.
    static func from(_ error: QueueError) -> APIError {
        switch error {
        case .notFound:
            return APIError(status: .notFound, code: "not_found", message: error.description)
        case .illegalTransition(_, let from, let to):
            return APIError(
                status: .conflict, code: "illegal_transition", message: error.description,
                extra: ["from": .string(from), "to": .string(to)])
        case .notOwner:
            return APIError(status: .conflict, code: "not_lease_owner", message: error.description)
        case .idempotencyConflict:
            return APIError(status: .unprocessableContent, code: "idempotency_key_reused", message: error.description)
        case .queueFull(let type, let waiting, let limit, let adding):
            var extra: [String: JSONValue] = [
                "type": .string(type), "waiting": .integer(Int64(waiting)), "limit": .integer(Int64(limit)),
            ]
            if adding > 0 { extra["adding"] = .integer(Int64(adding)) }
            return APIError(
                status: .tooManyRequests, code: "queue_full", message: error.description, extra: extra,
                headers: [.retryAfter: "5"])
        case .batchTooLarge(_, let limit):
            // The batch route checks the size first (422 invalid_batch, per field); this is for
            // any other caller.
            return APIError(
                status: .unprocessableContent, code: "batch_too_large", message: error.description,
                extra: ["limit": .integer(Int64(limit))])
        case .unavailable:
            return APIError(
                status: .serviceUnavailable, code: "redis_unavailable", message: error.description,
                headers: [.retryAfter: "1"])
        case .corrupt:
            // The details (Redis' own words, addresses) go to the log, not to the client.
            return APIError(
                status: .internalServerError, code: "internal", message: "internal error; see the orchestrator's log",
                logDetail: error.description)
        }
    }
}

/// JSON responses with the API's content type.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        make(status, json: value.jsonBytes(), headers: headers)
    }

    /// A body already written as JSON.
    static func make(_ status: HTTPResponse.Status, json bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Turns every error into a JSON answer: known API errors as they are, Hummingbird's own (404
/// for an unknown route, 413 for a body over the limit) with the same status, anything else a
/// logged 500 that never shows internals.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            if let detail = error.logDetail {
                context.logger.error(
                    "\(error.message)", metadata: ["detail": "\(detail)", "path": "\(request.uri.path)"])
            }
            throw error
        } catch let error as any HTTPResponseError {
            let message =
                error.status == .notFound
                ? "no route for \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            throw APIError(
                status: error.status, code: error.status == .notFound ? "not_found" : "http_error", message: message)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw APIError(
                status: .internalServerError, code: "internal", message: "internal error; see the orchestrator's log")
        }
    }
}

/// Runs a queue operation, answering its errors as the API does (404, 409, 422, 503, 500).
func run<T>(_ operation: () async throws(QueueError) -> T) async throws(APIError) -> T {
    do {
        return try await operation()
    } catch {
        throw APIError.from(error)
    }
}
