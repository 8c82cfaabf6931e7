import MimirCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Workers as processes on this machine (the embedded default): `mimir-worker serve` with the
/// image's plugin directory, its log in `logDirectory/<worker id>.log`. A child's end is told to
/// the scaler the moment it happens (`notifyOnEvents`) and the child is reaped by the `inventory`
/// that follows; one that exited cleanly (idle, drained) is not restarted, one that failed is
/// reported. On `shutdown` the workers get SIGTERM and drain: running jobs finish or go back to
/// the queue. Workers also drain by themselves when this process dies without a shutdown (they
/// watch their parent pid, `MIMIR_PARENT_PID`), so a crashed orchestrator leaves no orphans.
public final class LocalProcessBackend: WorkerBackend {
    public struct Settings: Sendable {
        /// The `mimir-worker` executable.
        public var workerExecutable: String
        /// Plugin directory per image; images without one cannot be started here.
        public var pluginDirectories: [String: String]
        /// Worker logs go here.
        public var logDirectory: String
        /// Passed to every worker on top of the launch's environment (PATH, MIMIR_DATA_DIR, REDIS_URL...).
        public var environment: [String: String]

        public init(
            workerExecutable: String, pluginDirectories: [String: String], logDirectory: String,
            environment: [String: String]
        ) {
            self.workerExecutable = workerExecutable
            self.pluginDirectories = pluginDirectories
            self.logDirectory = logDirectory
            self.environment = environment
        }
    }

    public let name = "local"
    public let settings: Settings
    private let clock: @Sendable () -> Int64

    private struct Child {
        var process: ChildProcess
        var worker: BackendWorker
        var logPath: String
    }

    private struct State {
        var children: [String: Child] = [:]
        var events: [BackendEvent] = []
        var notify: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init(settings: Settings, clock: @escaping @Sendable () -> Int64) {
        self.settings = settings
        self.clock = clock
    }

    public func canLaunch(image: String) -> Bool { settings.pluginDirectories[image] != nil }

    public func inventory() async throws -> [BackendWorker] {
        let now = clock()
        return state.withLock { state in
            for (id, child) in state.children {
                guard let ended = child.process.ended() else { continue }
                state.children[id] = nil
                state.events.append(Self.event(for: ended, child, at: now))
            }
            return state.children.values.map(\.worker).sorted { $0.workerID < $1.workerID }
        }
    }

    /// A reaped child is gone for good: local worker ids are never reused.
    private static func event(for ended: ChildProcess.Termination, _ child: Child, at now: Int64) -> BackendEvent {
        let worker = child.worker
        switch ended {
        case .exited(0):
            return BackendEvent(
                kind: .exited, workerID: worker.workerID, image: worker.image, message: "exited cleanly", at: now,
                workerGone: true)
        case .exited(let code):
            // A worker that dies within its first seconds never really started.
            let kind: BackendEvent.Kind = now - worker.startedAt < 5_000 ? .failedToStart : .crashed
            return BackendEvent(
                kind: kind, workerID: worker.workerID, image: worker.image,
                message: "exited with status \(code) (log: \(child.logPath))", at: now, workerGone: true)
        case .signalled(let number):
            return BackendEvent(
                kind: .crashed, workerID: worker.workerID, image: worker.image,
                message: "killed by signal \(number) (log: \(child.logPath))", at: now, workerGone: true)
        }
    }

    public func launch(_ launch: WorkerLaunch) async throws {
        guard let plugins = settings.pluginDirectories[launch.profile.image] else {
            throw ChildProcess.Failure(
                description: "image \(launch.profile.image) has no plugin directory for local workers (plugin_dir)")
        }
        // Made on first use: an orchestrator that never starts a worker leaves no folder behind.
        var folder = settings.logDirectory.hasPrefix("/") ? "" : "."
        for component in settings.logDirectory.split(separator: "/") {
            folder += "/" + component
            mkdir(folder, 0o755)
        }
        let logPath = "\(settings.logDirectory)/\(launch.workerID).log"
        var environment = settings.environment
        for (key, value) in launch.environment { environment[key] = value }
        // The worker drains and exits when this process dies (even by kill -9) instead of living
        // on as an orphan nobody scales or stops (MimirWorker.ParentWatch reads it).
        environment["MIMIR_PARENT_PID"] = String(getpid())
        let process = try ChildProcess(
            executable: settings.workerExecutable, arguments: ["serve", "--plugin-dir", plugins],
            environment: environment, logPath: logPath)
        let worker = BackendWorker(workerID: launch.workerID, image: launch.profile.image, startedAt: clock())
        state.withLock { $0.children[launch.workerID] = Child(process: process, worker: worker, logPath: logPath) }
        watch(process)
    }

    public func notifyOnEvents(_ notify: @escaping @Sendable () -> Void) {
        state.withLock { $0.notify = notify }
    }

    /// A thread per child, asleep in `waitid` until the child ends, tells the scaler at once: a
    /// worker killed mid-job has its jobs back in the queue within milliseconds rather than at the
    /// next pass. Reaping stays with `inventory`. Without a thread (the system refused one), the
    /// next pass notices all the same.
    private func watch(_ process: ChildProcess) {
        DetachedThread.start(stackSize: 64 * 1024) { [weak self] in
            process.waitUntilEnded()
            self?.state.withLock { $0.notify }?()
        }
    }

    public func drainEvents() async -> [BackendEvent] {
        state.withLock { state in
            defer { state.events.removeAll() }
            return state.events
        }
    }

    /// Asks every worker to drain, then waits up to `grace` for them to exit.
    public func shutdown() async {
        let children = state.withLock { Array($0.children.values) }
        for child in children { child.process.signal(SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(35)
        var remaining = children
        while !remaining.isEmpty, ContinuousClock.now < deadline {
            remaining = remaining.filter { $0.process.ended() == nil }
            if !remaining.isEmpty { try? await Task.sleep(for: .milliseconds(100)) }
        }
        state.withLock { $0.children.removeAll() }
    }
}
