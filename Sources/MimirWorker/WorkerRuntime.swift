import Logging
import MimirCore
import MimirPluginHost
import MimirQueue
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Takes jobs from the queue — only of the types its plugins serve — on one thread per slot,
/// and runs each as a `JobAttempt`. `drain()` stops taking work, waits for running jobs up to the
/// grace period, then stops the rest and hands them back to the queue.
public final class WorkerRuntime: Sendable {
    public let configuration: WorkerConfiguration
    private let registry: ExecutorRegistry
    private let isolation: ExecutorIsolation
    private let queue: JobQueue
    private let logger: Logger
    /// Ids of the jobs running now.
    private let running = Mutex<Set<String>>([])
    /// Whether the slots' takes are failing (Redis away), so that an outage is logged once.
    private let takeFailing = Atomic<Bool>(false)
    private let registration: OrchestratorRegistration?
    private let draining = CancellationToken()
    /// Cancels running executors when the drain grace period is over.
    private let stopping = CancellationToken()

    /// With `orchestratorURL`, the worker registers there (as `image`) and heartbeats, presenting
    /// `orchestratorToken` (the worker credential) when the API asks for one. The registry says
    /// what the worker serves; `isolation` says where executors run.
    public init(
        configuration: WorkerConfiguration, registry: ExecutorRegistry, isolation: ExecutorIsolation = .none,
        queue: JobQueue, logger: Logger, orchestratorURL: String? = nil, orchestratorToken: String? = nil,
        image: String = "local"
    ) {
        self.isolation = isolation
        self.registration = orchestratorURL.map { url in
            OrchestratorRegistration(
                baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                document: OrchestratorRegistration.document(
                    workerID: configuration.workerID, image: image, slots: configuration.slots, registry: registry,
                    configuration: configuration),
                workerID: configuration.workerID, interval: .seconds(5), logger: logger, token: orchestratorToken,
                directory: WorkerDirectory(queue: queue))
        }
        self.configuration = configuration
        self.registry = registry
        self.queue = queue
        self.logger = logger
    }

    /// Jobs running now.
    public var runningJobs: Int { running.withLock { $0.count } }

    /// When the worker last became idle; `nil` while jobs run.
    private let idleSince = Mutex<ContinuousClock.Instant?>(ContinuousClock.now)

    /// idle, busy or draining, the running jobs, and — once idle for the idle timeout — for how
    /// long: what heartbeats report.
    private var state: WorkerState {
        let jobs = running.withLock { $0.sorted() }
        var idleSeconds: Double?
        if let timeout = configuration.idleTimeout, jobs.isEmpty, let since = idleSince.withLock({ $0 }) {
            let idle = ContinuousClock.now - since
            if idle >= timeout { idleSeconds = Double(idle.milliseconds) / 1000 }
        }
        return WorkerState(
            status: draining.isCancelled ? "draining" : jobs.isEmpty ? "idle" : "busy", runningJobs: jobs,
            idleSeconds: idleSeconds)
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
            Task {
                await registration.run(status: { self.state }, retire: { self.retire() })
            }
        }
        let renewer = LeaseRenewer(
            queue: queue, workerID: configuration.workerID, interval: configuration.reportInterval,
            stopping: stopping, logger: logger)
        let renewals = Task { await renewer.run() }
        // One thread per slot, each taking, running and reporting its jobs itself (see `runSlot`).
        await withDiscardingTaskGroup { group in
            for slot in 0..<configuration.slots {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        let started = DetachedThread.start(stackSize: JobAttempt.jobThreadStackSize) {
                            self.runSlot(types: types, offer: offer, renewer: renewer)
                            continuation.resume()
                        }
                        if !started {
                            self.logger.error(
                                "cannot start a thread for a slot (out of memory or threads); running with fewer",
                                metadata: ["slot": "\(slot)"])
                            continuation.resume()
                        }
                    }
                }
            }
        }
        renewals.cancel()
        heartbeats?.cancel()
        await registration?.deregister()
        logger.notice("worker stopped", metadata: ["worker": "\(configuration.workerID)"])
    }

    /// A slot's loop, on a thread of its own until the worker drains: take a job, run it, report
    /// it, on the slot's own blocking connection. A job costs a few system calls on this thread
    /// rather than a dozen hand-offs between tasks, Redis' event loop and a job thread.
    private func runSlot(types: [String], offer: WorkerOffer, renewer: LeaseRenewer) {
        let session = QueueSession(queue: queue, types: types)
        var idle = Duration.milliseconds(5)
        // A job taken along with the last finish is leased here already: it runs even if the
        // worker began draining meanwhile, as a job that had just started would.
        while !draining.isCancelled || session.hasJobAhead {
            let job: JobRecord?
            do {
                job = try session.take(workerID: configuration.workerID, offer: offer)
                if takeFailing.exchange(false, ordering: .relaxed) {
                    logger.notice("taking jobs again", metadata: ["worker": "\(configuration.workerID)"])
                }
            } catch {
                // Every slot fails alike while Redis is away: one warning per outage, not one per
                // slot and poll.
                if !takeFailing.exchange(true, ordering: .relaxed) {
                    logger.warning(
                        "cannot take jobs; retrying (until it works again, further failures are logged at debug)",
                        metadata: ["error": "\(error)"])
                } else {
                    logger.debug("cannot take jobs", metadata: ["error": "\(error)"])
                }
                job = nil
            }
            guard let job, let executor = registry.executor(for: job.type) else {
                if registration == nil, state.idleSeconds != nil {
                    // No orchestrator to ask: idle past the timeout is reason enough to leave.
                    retire()
                    continue
                }
                // Nothing to take: wait for a wake-up token (a job made ready), at most the poll
                // interval; if Redis is away, back off instead.
                do {
                    _ = try session.waitForWork(upTo: configuration.maximumPollInterval)
                    idle = .milliseconds(5)
                } catch {
                    usleep(UInt32(idle.milliseconds * 1000))
                    idle = min(idle * 2, configuration.maximumPollInterval)
                }
                continue
            }
            idle = .milliseconds(5)
            running.withLock { _ = $0.insert(job.id) }
            idleSince.withLock { $0 = nil }
            JobAttempt(
                job: job, executor: executor, isolation: isolation, session: session, configuration: configuration,
                logger: logger, draining: draining, stopping: stopping, renewer: renewer, offer: offer
            ).run()
            let nowIdle = running.withLock { running in
                running.remove(job.id)
                return running.isEmpty
            }
            if nowIdle { idleSince.withLock { $0 = ContinuousClock.now } }
        }
    }

    /// Leaves for good after being idle: no job runs, so draining ends at once.
    private func retire() {
        logger.notice(
            "retiring: idle past the idle timeout", metadata: ["worker": "\(configuration.workerID)"])
        drain()
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

/// What a heartbeat reports.
struct WorkerState: Sendable {
    var status: String
    var runningJobs: [String]
    /// Present once the worker has been idle for its idle timeout.
    var idleSeconds: Double?
}
