import Hummingbird
import MimirCore
import MimirTwin

/// `/api/twins/...`: the digital twins' committed state, history and entities, read straight from
/// Redis (each answer is one read-only function call, so it shows a single version).
struct TwinRoutes: Sendable {
    let reader: TwinReader

    func register(on router: Router<OrchestratorRequestContext>) {
        router.get("/api/twins/:id") { _, context in
            let id = try Self.identifier(context, "id", what: "twin")
            return JSONResponse.make(
                .ok,
                try await Self.answer { () async throws(TwinError) in
                    try await reader.state(twinID: id)
                })
        }
        router.get("/api/twins/:id/history") { request, context in
            let id = try Self.identifier(context, "id", what: "twin")
            let query = request.uri.queryParameters
            let limit = try Self.integer(query.get("limit"), "limit", in: 1...500) ?? 20
            let before = try Self.integer(query.get("before"), "before", in: 1...Int.max).map(Int64.init)
            return JSONResponse.make(
                .ok,
                try await Self.answer { () async throws(TwinError) in
                    try await reader.history(twinID: id, before: before, limit: limit)
                })
        }
        router.get("/api/twins/:id/entities/:entity") { request, context in
            let id = try Self.identifier(context, "id", what: "twin")
            let entity = try Self.identifier(context, "entity", what: "entity")
            let recent = try Self.integer(request.uri.queryParameters.get("recent"), "recent", in: 0...1000) ?? 20
            return JSONResponse.make(
                .ok,
                try await Self.answer { () async throws(TwinError) in
                    try await reader.entity(twinID: id, entityID: entity, recent: recent)
                })
        }
    }

    private static func identifier(_ context: OrchestratorRequestContext, _ name: String, what: String) throws(APIError)
        -> String
    {
        guard let id = context.parameters.get(name), TwinIdentifiers.isValid(id) else {
            throw APIError.badRequest("invalid_id", "a \(what) id is \(TwinIdentifiers.rule)")
        }
        return id
    }

    private static func integer(_ text: String?, _ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " to \(range.upperBound)"
            throw APIError.badRequest(
                "invalid_query", "\(name): must be an integer from \(range.lowerBound)\(upper), got \"\(text)\"")
        }
        return value
    }

    /// A twin read, its errors answered as the API does: 404 for a missing twin or entity, 503
    /// when Redis is away, 500 otherwise.
    private static func answer(_ read: () async throws(TwinError) -> JSONValue) async throws(APIError) -> JSONValue {
        do {
            return try await read()
        } catch {
            switch error {
            case .notFound, .entityNotFound:
                throw APIError.notFound(error.description)
            case .unavailable:
                throw APIError(
                    status: .serviceUnavailable, code: "redis_unavailable", message: error.description,
                    headers: [.retryAfter: "1"])
            default:
                throw APIError(
                    status: .internalServerError, code: "internal",
                    message: "internal error; see the orchestrator's log",
                    logDetail: error.description)
            }
        }
    }
}
