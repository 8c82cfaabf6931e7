import Logging
import MimirCore
import MimirPluginHost
import MimirQueue
import Synchronization

/// Takes jobs from the queue — only of the types its plugins serve — while it has a free slot,
/// and runs each as a `JobAttempt`. `drain()` stops taking work, waits for running jobs up to the
/// grace period, then stops the rest and hands them back to the queue.
public final class WorkerRuntime: Sendable {
    public let configuration: WorkerConfiguration
    private let registry: ExecutorRegistry
    private let queue: JobQueue
    private let logger: Logger
    /// Ids of the jobs running now.
    private let running = Mutex<Set<String>>([])
    private let registration: OrchestratorRegistration?
    private let draining = CancellationToken()
    /// Cancels running executors when the drain grace period is over.
    private let stopping = CancellationToken()

    /// With `orchestratorURL`, the worker registers there (as `image`) and heartbeats.
    public init(
        configuration: WorkerConfiguration, registry: ExecutorRegistry, queue: JobQueue, logger: Logger,
        orchestratorURL: String? = nil, image: String = "local"
    ) {
        self.registration = orchestratorURL.map { url in
            OrchestratorRegistration(
                baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                document: OrchestratorRegistration.document(
                    workerID: configuration.workerID, image: image, slots: configuration.slots, registry: registry,
                    configuration: configuration),
                workerID: configuration.workerID, interval: .seconds(5), logger: logger)
        }
        self.configuration = configuration
        self.registry = registry
        self.queue = queue
        self.logger = logger
    }

    /// Jobs running now.
    public var runningJobs: Int { running.withLock { $0.count } }

    /// idle, busy or draining, and the running jobs: what heartbeats report.
    private var state: (String, [String]) {
        let jobs = running.withLock { $0.sorted() }
        return (draining.isCancelled ? "draining" : jobs.isEmpty ? "idle" : "busy", jobs)
    }

    /// Takes and runs jobs until `drain()` is called and running jobs are done.
    public func run() async {
        let types = registry.jobTypes
        var versions: [String: SemanticVersion] = [:]
        for executor in registry.executors { versions[executor.manifest.jobType] = executor.manifest.version }
        let offer = WorkerOffer(
            executorVersions: versions, gpus: configuration.gpus, cpuMillicores: configuration.cpuMillicores,
            memoryBytes: configuration.memoryBytes)
        logger.notice(
            "worker taking jobs",
            metadata: [
                "worker": "\(configuration.workerID)", "types": "\(types.joined(separator: ","))",
                "slots": "\(configuration.slots)",
            ])
        let heartbeats = registration.map { registration in
            Task { await registration.run { self.state } }
        }
        let signal = WorkSignal(queue: queue, types: types)
        await withDiscardingTaskGroup { group in
            var idle = Duration.milliseconds(5)
            while !draining.isCancelled {
                guard running.withLock({ $0.count }) < configuration.slots else {
                    try? await Task.sleep(for: .milliseconds(5))
                    continue
                }
                let job: JobRecord?
                do {
                    job = try await queue.take(workerID: configuration.workerID, offer: offer)
                } catch {
                    logger.warning("cannot take jobs", metadata: ["error": "\(error)"])
                    job = nil
                }
                guard let job, let executor = registry.executor(for: job.type) else {
                    // Nothing to take: wait for a wake-up token (a job made ready), at most the poll
                    // interval; if Redis is away, back off instead.
                    do {
                        _ = try await signal.wait(upTo: configuration.maximumPollInterval)
                        idle = .milliseconds(5)
                    } catch {
                        try? await Task.sleep(for: idle)
                        idle = min(idle * 2, configuration.maximumPollInterval)
                    }
                    continue
                }
                idle = .milliseconds(5)
                running.withLock { _ = $0.insert(job.id) }
                let attempt = JobAttempt(
                    job: job, executor: executor, queue: queue, configuration: configuration, logger: logger,
                    stopping: stopping)
                group.addTask {
                    await attempt.run()
                    self.running.withLock { _ = $0.remove(job.id) }
                }
            }
        }
        heartbeats?.cancel()
        await signal.shutdown()
        await registration?.deregister()
        logger.notice("worker stopped", metadata: ["worker": "\(configuration.workerID)"])
    }

    /// Stops taking jobs; after the grace period, stops running ones and hands them back.
    public func drain() {
        guard !draining.isCancelled else { return }
        logger.notice(
            "draining: no new jobs; running ones may finish",
            metadata: ["running": "\(runningJobs)", "grace": "\(configuration.drainGrace)"])
        draining.cancel()
        let grace = configuration.drainGrace
        let stopping = stopping
        Task {
            try? await Task.sleep(for: grace)
            stopping.cancel()
        }
    }
}
