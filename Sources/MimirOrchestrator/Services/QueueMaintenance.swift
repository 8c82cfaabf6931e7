import Logging
import MimirQueue
import ServiceLifecycle

/// Runs the reaper (expired leases back to the queue, due retries promoted) and samples the
/// queue for metrics, every `interval`, until graceful shutdown. Several orchestrators may run
/// it at once: each pass is one atomic Redis function call.
struct QueueMaintenance: Service {
    let queue: JobQueue
    let workers: WorkerDirectory
    let catalog: CapabilityCatalogLoader
    let metrics: OrchestratorMetrics
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var redisWasDown = false
            while !Task.isCancelled {
                do {
                    let report = try await queue.reap()
                    metrics.reaped(report)
                    if report.requeued + report.dead + report.cancelled > 0 {
                        logger.info(
                            "expired leases handled",
                            metadata: [
                                "requeued": "\(report.requeued)", "dead": "\(report.dead)",
                                "cancelled": "\(report.cancelled)",
                            ])
                    }
                    metrics.sampled(try await queue.stats())
                    // Workers silent for an hour are forgotten, images after a week unless declared;
                    // the rest feed the capability catalog.
                    _ = try await workers.prune(silentFor: .seconds(3600))
                    _ = try await catalog.prune()
                    try await catalog.reload()
                    metrics.redisReachable(true)
                    if redisWasDown { logger.notice("Redis reachable again") }
                    redisWasDown = false
                } catch {
                    metrics.redisReachable(false)
                    if !redisWasDown { logger.error("queue maintenance failed", metadata: ["error": "\(error)"]) }
                    redisWasDown = true
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// Closes the Redis connections after everything that uses them has stopped (services shut
/// down in reverse order, so this one is listed first).
struct RedisLifecycle: Service {
    let shutdown: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
