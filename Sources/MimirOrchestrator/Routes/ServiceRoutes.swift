import Hummingbird
import MimirCore
import MimirRedis
import NIOCore

/// Liveness, readiness, metrics and the API's own description.
struct ServiceRoutes: Sendable {
    let redis: RedisClient
    let metrics: OrchestratorMetrics

    func register(on router: Router<OrchestratorRequestContext>) {
        // Liveness: the process answers. No dependency is checked, so a Redis outage never gets
        // the orchestrator restarted.
        router.get("/health") { _, _ in
            JSONResponse.make(.ok, ["status": "ok", "version": .string(MimirVersion.current)])
        }
        router.get("/ready") { _, _ in try await ready() }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
        }
    }

    private func ready() async throws -> Response {
        do {
            let reply = try await redis.execute(["PING"])
            guard reply.string == "PONG" else {
                return JSONResponse.make(
                    .serviceUnavailable,
                    ["status": "unavailable", "reason": .string("Redis answered PING with \(reply)")],
                    headers: [.retryAfter: "1"])
            }
            metrics.redisReachable(true)
            return JSONResponse.make(.ok, ["status": "ready"])
        } catch {
            metrics.redisReachable(false)
            return JSONResponse.make(
                .serviceUnavailable, ["status": "unavailable", "reason": .string("Redis unreachable: \(error)")],
                headers: [.retryAfter: "1"])
        }
    }
}
