import Foundation
import MimirPluginHost
import Testing

@testable import MimirQueue
@testable import MimirWorker

/// How a worker stops taking jobs: retiring (asked by the orchestrator once idle) and draining
/// (SIGTERM), and which of them starts the grace period that stops running jobs.
@Suite("Worker retirement and drain")
struct WorkerRetireTests {
    static func runtime(grace: Duration) async throws -> WorkerRuntime {
        let queue = try await SharedRedis.queue(namespace: "retire-\(UUID().uuidString.prefix(8))")
        let registry = try ExecutorRegistry.load(
            directory: try WorkerProcess.fixtures.get(), configuration: PluginHostConfiguration(),
            logger: SharedRedis.quietLogger)
        return WorkerRuntime(
            configuration: WorkerConfiguration(workerID: "w-retire", drainGrace: grace), registry: registry,
            queue: queue, logger: SharedRedis.quietLogger)
    }

    @Test("retiring stops taking jobs but starts no grace period: a job taken meanwhile is not cut short")
    func retireStartsNoGrace() async throws {
        let worker = try await Self.runtime(grace: .milliseconds(50))
        worker.retire()
        #expect(worker.draining.isCancelled)
        try await Task.sleep(for: .milliseconds(500))
        #expect(!worker.stopping.isCancelled, "a retirement stopped running jobs")

        // A SIGTERM afterwards still does.
        worker.drain()
        for _ in 0..<1200 where !worker.stopping.isCancelled { try await Task.sleep(for: .milliseconds(50)) }
        #expect(worker.stopping.isCancelled)
    }

    @Test("draining starts the grace period once, however often it is asked for")
    func drainStartsGrace() async throws {
        let worker = try await Self.runtime(grace: .milliseconds(50))
        worker.drain()
        worker.drain()
        #expect(worker.draining.isCancelled)
        for _ in 0..<1200 where !worker.stopping.isCancelled { try await Task.sleep(for: .milliseconds(50)) }
        #expect(worker.stopping.isCancelled)
    }
}
