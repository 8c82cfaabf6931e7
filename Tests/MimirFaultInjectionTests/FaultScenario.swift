import Foundation
import MimirCore
import MimirQueue
import MimirRedis
import MimirTestSupport
import Testing

/// The fault-injection scenarios run one after another: each loads both cores, and their figures
/// (time to recover, waits after a kill) mean something only without another scenario beside them.
@Suite("Fault injection", .serialized)
struct FaultInjection {}

/// What every scenario starts with: Redis with AOF (`appendfsync everysec`, as in production), a
/// namespace of its own, the fixture plugins and a load driver.
struct FaultScenario {
    let redis: RedisServer
    let namespace: String
    let plugins: String
    let load: JobLoad

    static func start() async throws -> FaultScenario {
        try await start(
            on: RedisServer.start(RedisServer.Options(appendOnly: true, extraArguments: ["--appendfsync", "everysec"])))
    }

    static func start(on redis: RedisServer) async throws -> FaultScenario {
        let namespace = "fault-\(UUID().uuidString.prefix(8))"
        let plugins = try await OwnThread.run { try FaultFiles.plugins.get() }
        return FaultScenario(
            redis: redis, namespace: namespace, plugins: plugins,
            load: try JobLoad(redisURL: redis.url, namespace: namespace))
    }

    func orchestrator(_ arguments: [String]) -> Orchestrator {
        Orchestrator(redisURL: redis.url, namespace: namespace, arguments: arguments)
    }

    func worker(
        _ id: String, slots: Int = 4, leaseSeconds: Int = 2, orchestratorURL: String? = nil, extra: [String] = []
    ) throws -> Worker {
        try Worker(
            id: id, redisURL: redis.url, namespace: namespace, plugins: plugins, slots: slots,
            leaseSeconds: leaseSeconds, orchestratorURL: orchestratorURL, extra: extra)
    }

    /// Ids of the jobs a worker holds a lease on now.
    func leasedJobs(of workerID: String) async -> [String] {
        let inflight = (try? await load.redis.execute(["ZRANGE", "\(namespace):inflight", "0", "-1"]))?.array ?? []
        var jobs: [String] = []
        for id in inflight.compactMap(\.string) {
            let owner = try? await load.redis.execute(["HGET", "\(namespace):job:\(id)", "worker_id"])
            if owner?.string == workerID { jobs.append(id) }
        }
        return jobs
    }

    func shutdown() async {
        await load.shutdown()
        await redis.stop()
    }
}

/// Milliseconds since the epoch, the queue's clock.
func nowMS() -> Int64 { SystemQueueClock().nowMilliseconds() }
