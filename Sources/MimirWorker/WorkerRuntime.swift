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
    let registry: ExecutorRegistry
    let isolation: ExecutorIsolation
    let queue: JobQueue
    let logger: Logger
    /// Ids of the jobs running now.
    let running = Mutex<Set<String>>([])
    /// Whether the slots' takes are failing (Redis away), so that an outage is logged once.
    let takeFailing = Atomic<Bool>(false)
    let registration: OrchestratorRegistration?
    let draining = CancellationToken()
    /// Cancels running executors when the drain grace period is over.
    let stopping = CancellationToken()
    /// Whether the grace period's clock runs: a retirement does not start it (see `retire`).
    private let stopArmed = Atomic<Bool>(false)
    /// Which job types run short here, for taking several in one round trip.
    let runLengths: RunLengths
    /// Sees a job run long when its executor runs in this process (`isolation` none).
    let inProcessWatch = InProcessWatch()

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
        runLengths = RunLengths(shortBelow: configuration.shortJob)
        self.registry = registry
        self.queue = queue
        self.logger = logger
    }

    /// Jobs running now.
    public var runningJobs: Int { running.withLock { $0.count } }

    /// When the worker last became idle; `nil` while jobs run.
    let idleSince = Mutex<ContinuousClock.Instant?>(ContinuousClock.now)

    /// idle, busy or draining, the running jobs, and — once idle for the idle timeout — for how
    /// long: what heartbeats report.
    var state: WorkerState {
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
        // Ended before the deregistration: a registration of its in flight (after a heartbeat
        // answered 404) landing after it would list the stopped worker as live again.
        await heartbeats?.value
        await registration?.deregister()
        logger.notice("worker stopped", metadata: ["worker": "\(configuration.workerID)"])
    }

    /// Leaves for good after being idle. Draining then ends at once, unless a job was taken in the
    /// moment between the idle report and the answer to retire: that one runs to its end, with no
    /// grace period to cut it short (stopped, it would spend an attempt for nothing). A drain
    /// asked for afterwards (SIGTERM) still starts the grace period.
    func retire() {
        logger.notice(
            "retiring: idle past the idle timeout", metadata: ["worker": "\(configuration.workerID)"])
        stopTakingJobs(grace: nil)
    }

    /// Stops taking jobs; after the grace period, stops running ones and hands them back.
    public func drain() {
        stopTakingJobs(grace: configuration.drainGrace)
        guard !stopArmed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let grace = configuration.drainGrace
        let stopping = stopping
        Task {
            try? await Task.sleep(for: grace)
            stopping.cancel()
        }
    }

    /// `grace`: how long running jobs may take, if limited, for the log.
    private func stopTakingJobs(grace: Duration?) {
        guard !draining.isCancelled else { return }
        // Before the line that says so: whoever reads it may count on no new job being taken.
        draining.cancel()
        logger.notice(
            "draining: no new jobs; running ones may finish",
            metadata: ["running": "\(runningJobs)", "grace": "\(grace.map { "\($0)" } ?? "none")"])
    }
}

/// What a heartbeat reports.
struct WorkerState: Sendable {
    var status: String
    var runningJobs: [String]
    /// Present once the worker has been idle for its idle timeout.
    var idleSeconds: Double?
}
