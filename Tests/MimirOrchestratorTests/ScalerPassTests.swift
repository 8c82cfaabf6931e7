import Foundation
import MimirCore
import MimirScaling
import Synchronization
import Testing

@testable import MimirOrchestrator
@testable import MimirQueue

/// One scaler pass against a real Redis and a backend the test holds mid-pass.
@Suite("Scaler pass")
struct ScalerPassTests {
    /// Starts nothing; its first inventory waits until the test opens it, so a submission can be
    /// made while a pass is under way.
    final class HeldBackend: WorkerBackend {
        let name = "held"
        private let state = Mutex((asked: false, open: false))

        func inventory() async throws -> [BackendWorker] {
            state.withLock { $0.asked = true }
            while !state.withLock({ $0.open }) { try await Task.sleep(for: .milliseconds(5)) }
            return []
        }
        func launch(_ launch: WorkerLaunch) async throws {}
        func drainEvents() async -> [BackendEvent] { [] }
        func shutdown() async {}

        var asked: Bool { state.withLock { $0.asked } }
        func open() { state.withLock { $0.open = true } }
    }

    /// A scaler whose catalog knows one image, `img`, serving job type `t`, with no worker.
    static func scaler(_ backend: HeldBackend) async throws -> Scaler {
        let queue = try await SharedRedis.queue(namespace: "pass-\(UUID().uuidString.prefix(8))")
        try await queue.prepare()
        let catalog = CapabilityCatalog()
        let image = WorkerImageRecord(
            name: "img", declared: ["capabilities": [["job_type": "t", "executor_version": "1.0.0"]]], reported: nil,
            reportedAt: nil, reportedBy: nil)
        catalog.refresh(
            workers: [], images: [image], now: SystemQueueClock().nowMilliseconds(), loadedBy: catalog.beginLoad())
        var settings = ScalerSettings()
        settings.advertisedURL = "http://127.0.0.1:1"
        return Scaler(
            backend: backend, settings: settings,
            policy: ScalingPolicy.Settings(minimumWorkers: 0, maximumWorkers: 4, queueThreshold: 1), queue: queue,
            workers: WorkerDirectory(queue: queue), catalog: catalog, metrics: OrchestratorMetrics(),
            logger: SharedRedis.quietLogger,
            workerEnvironment: [:])
    }

    /// Runs a pass, making `submissions` while it is under way (before it has read the queue).
    static func pass(_ scaler: Scaler, _ backend: HeldBackend, submitting submissions: [String]) async throws {
        let pass = Task { await scaler.pass() }
        for _ in 0..<6000 where !backend.asked { try await Task.sleep(for: .milliseconds(10)) }
        try #require(backend.asked)
        for type in submissions { scaler.submitted(types: CollectionOfOne(type)) }
        backend.open()
        await pass.value
    }

    @Test("a job submitted while a pass runs, of a type the pass then finds no worker for, gets the next pass at once")
    func submissionDuringPass() async throws {
        let backend = HeldBackend()
        let scaler = try await Self.scaler(backend)
        try await Self.pass(scaler, backend, submitting: ["t"])
        // Judged by the view of the pass before (none: every type counted as attended), it asked
        // for nothing; the pass's end asks for the next one.
        #expect(await scaler.passSignal.wait(upTo: .milliseconds(1)))
    }

    @Test("a job submitted while a pass runs, of a type no image serves, asks for no pass")
    func unservedSubmissionDuringPass() async throws {
        let backend = HeldBackend()
        let scaler = try await Self.scaler(backend)
        try await Self.pass(scaler, backend, submitting: ["u"])
        #expect(await !scaler.passSignal.wait(upTo: .milliseconds(1)))
        // A submission after the pass is judged by its view: `t` has no worker, so it asks.
        scaler.submitted(types: CollectionOfOne("t"))
        #expect(await scaler.passSignal.wait(upTo: .milliseconds(1)))
    }
}
