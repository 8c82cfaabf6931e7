import Hummingbird
import MimirCore
import MimirRedis

/// `GET /api/audit` (admin): who submitted, cancelled or retried which job, newest first.
struct AuditRoutes: Sendable {
    let audit: AuditLog

    func register(on router: Router<OrchestratorRequestContext>) {
        router.get("/api/audit") { request, _ in
            let limit = try JobRoutes.integer(
                request.uri.queryParameters.get("limit"), name: "limit", range: 1...1000, default: 100)
            do {
                return JSONResponse.make(.ok, ["entries": .array(try await audit.recent(limit: limit))])
            } catch {
                throw APIError(
                    status: .serviceUnavailable, code: "redis_unavailable",
                    message: "the audit log cannot be read: Redis \(error)", headers: [.retryAfter: "1"])
            }
        }
    }
}
