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

    /// What the Redis scenarios strike: an orchestrator and three workers (`workerPrefix`-1…3)
    /// running `jobCount` fixture jobs of 40 ms that trickle in (2 clients, 10 ms apart), once a
    /// quarter of them have succeeded. `submitting` ends when every job was accepted.
    struct Flow {
        let orchestrator: Orchestrator
        let workers: [Worker]
        let submitting: Task<Void, Never>
        let started: ContinuousClock.Instant
        let jobCount: Int
    }

    func flowing(jobCount: Int = 600, workerPrefix: String) async throws -> Flow {
        let orchestrator = self.orchestrator([
            "--job-types", "fixture_echo", "--worker-backend", "none", "--reaper-interval-seconds", "0.2",
        ])
        try await orchestrator.start()
        let workers = try (1...3).map { try worker("\(workerPrefix)-\($0)") }
        let started = ContinuousClock.now
        let load = load
        let submitting = Task {
            await load.submit(
                count: jobCount, clients: 2, sleepMS: 40, pause: .milliseconds(10), baseURL: { orchestrator.baseURL })
        }
        for _ in 0..<600 where await load.succeededCount() < jobCount / 4 {
            try await Task.sleep(for: .milliseconds(50))
        }
        return Flow(
            orchestrator: orchestrator, workers: workers, submitting: submitting, started: started, jobCount: jobCount)
    }

    /// How long after `since` more than `succeeded` jobs have succeeded (zero: not within a minute).
    func successAfter(_ succeeded: Int, since: ContinuousClock.Instant) async throws -> Duration {
        for _ in 0..<1200 {
            if await load.succeededCount() > succeeded { return ContinuousClock.now - since }
            try await Task.sleep(for: .milliseconds(50))
        }
        return .zero
    }

    /// Waits until `flow`'s jobs are all accepted and the queue has settled, then stops its workers
    /// (SIGTERM) so that their logs are complete. Returns the jobs' records and the run's length.
    func settle(_ flow: Flow) async -> (records: [String: JobRecord], elapsed: Duration) {
        await flow.submitting.value
        let records = await load.waitUntilSettled()
        let elapsed = ContinuousClock.now - flow.started
        for worker in flow.workers { worker.process.signal(SIGTERM) }
        for worker in flow.workers { await worker.process.waitForExit() }
        return (records, elapsed)
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
