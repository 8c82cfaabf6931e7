import Logging
import MimirCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A prefork pool of executor processes, as Celery keeps one for Python tasks: each slot checks a
/// warm process out, runs jobs through it (`ExecutorLane`), and checks it back in.
/// A process that crashed, was killed or outgrew its limits is replaced in the background; one
/// that dies before it is ready is retried with a growing backoff, so a plugin that cannot start
/// does not make the worker spin.
public final class ExecutorProcessPool: Sendable {
    let settings: ExecutorProcessSettings
    let logger: Logger

    private struct State {
        var idle: [ExecutorProcess] = []
        /// Processes being started in the background; a slot waits for one rather than start
        /// another (with one slot, two would run where one was meant to).
        var starting = 0
        var closed = false
        /// Starts that failed in a row, and when the next may be tried.
        var startFailures = 0
        var nextStart = ContinuousClock.now
    }

    private let state = Mutex(State())

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    public init(settings: ExecutorProcessSettings, logger: Logger) {
        // A write to a child that just died must fail with EPIPE, not kill the worker.
        signal(SIGPIPE, SIG_IGN)
        self.settings = settings
        self.logger = logger
    }

    /// Starts the processes in the background, so the first jobs find them ready.
    public func prefork() {
        for _ in 0..<settings.processes { replenish() }
    }

    /// Stops every idle process (running jobs are stopped by the worker's drain before this).
    public func shutdown() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for process in idle { process.stop() }
    }

    /// Processes waiting for a job now.
    var idleCount: Int { state.withLock { $0.idle.count } }

    /// A live process ready for a job: a warm one, or a new one when none is.
    func checkOut() throws(Failure) -> ExecutorProcess {
        while true {
            let (closed, starting, candidate) = state.withLock { ($0.closed, $0.starting, $0.idle.popLast()) }
            guard !closed else { throw Failure(description: "the worker is shutting down") }
            if candidate == nil, starting > 0 {
                usleep(2_000)
                continue
            }
            guard let candidate else {
                do {
                    return try start()
                } catch {
                    throw Failure(description: error.description)
                }
            }
            if let ended = candidate.termination() {
                logger.warning(
                    "executor process died while idle; replacing it",
                    metadata: ["pid": "\(candidate.pid)", "how": "\(ended)"])
                continue
            }
            return candidate
        }
    }

    /// A job shorter than this cannot have grown its process by much (page faults alone limit
    /// it to a few MiB), so its memory is read only when `memoryCheckInterval` has passed since the
    /// last reading: a procfs read per job was 1 % of a busy worker's CPU time.
    static let memoryCheckJobLength = Duration.milliseconds(1)
    static let memoryCheckInterval = Duration.milliseconds(50)

    /// Counts a job `process` ran (for `duration`, normally); says why it must be replaced when it
    /// reached its job or memory limit.
    func countJob(_ process: ExecutorProcess, after duration: Duration) -> String? {
        let jobs = process.jobsRun.add(1, ordering: .relaxed).newValue
        if let limit = settings.maximumJobsPerProcess, jobs >= limit {
            return "it ran \(jobs) jobs (limit \(limit))"
        }
        if let limit = settings.maximumResidentBytes,
            process.memoryCheckDue(
                jobLength: duration, minimum: Self.memoryCheckJobLength, interval: Self.memoryCheckInterval),
            let resident = process.residentBytes(), resident > limit
        {
            return "its resident memory is \(resident >> 20) MiB, over the limit of \(limit >> 20) MiB"
        }
        return nil
    }

    /// Stops a process that reached a limit, and starts its replacement.
    func retire(_ process: ExecutorProcess, because reason: String) {
        logger.notice("replacing executor process: \(reason)", metadata: ["pid": "\(process.pid)"])
        process.stop()
        replenish()
    }

    /// Forgets a process that died or was killed, and starts its replacement.
    func discard(_ process: ExecutorProcess) {
        process.kill()
        replenish()
    }

    /// Takes a process back without counting a job (the lane counted it).
    func keep(_ process: ExecutorProcess) {
        let kept = state.withLock { state in
            guard !state.closed, state.idle.count < settings.processes else { return false }
            state.idle.append(process)
            return true
        }
        if !kept { process.stop() }
    }

    /// Starts one process in the background and keeps it warm.
    private func replenish() {
        let proceed = state.withLock { state in
            guard !state.closed else { return false }
            state.starting += 1
            return true
        }
        guard proceed else { return }
        let started = DetachedThread.start { [self] in
            defer { state.withLock { $0.starting -= 1 } }
            do {
                keep(try start())
            } catch {
                // The next job's checkOut tries again, after the backoff.
                logger.error("cannot start an executor process", metadata: ["error": "\(error)"])
            }
        }
        if !started {
            state.withLock { $0.starting -= 1 }
            logger.error("cannot start a thread to start an executor process; the next job tries again")
        }
    }

    /// Starts a process and waits for its `ready`; waits out the backoff of earlier failures first.
    private func start() throws(ExecutorProcess.Failure) -> ExecutorProcess {
        let wait = state.withLock { $0.nextStart - ContinuousClock.now }
        if wait > .zero { usleep(UInt32(clamping: wait.milliseconds * 1000)) }
        do throws(ExecutorProcess.Failure) {
            let started = ContinuousClock.now
            let process = try ExecutorProcess(
                executable: settings.executable, name: settings.programName, arguments: settings.arguments)
            let answer: FrameChannel.ReadResult
            do {
                answer = try process.events.read(timeout: settings.startTimeout)
            } catch {
                process.kill()
                throw ExecutorProcess.Failure(
                    description:
                        "executor process \(process.pid) (\(settings.programName)) broke the executor protocol "
                        + "before it was ready: \(error)")
            }
            guard case .message(let message) = answer, case .ready(let version, _, _) = message else {
                let how: String
                if case .idle = answer {
                    process.kill()
                    how = "did not become ready within \(settings.startTimeout)"
                } else if case .message(let message) = answer {
                    process.kill()
                    how = "said \(message) before it was ready"
                } else {
                    how = "\(process.waitForExit(patience: .seconds(2))) before it was ready"
                }
                throw ExecutorProcess.Failure(
                    description: "executor process \(process.pid) \(how); see the worker's log for its output")
            }
            guard version == ExecutorMessage.protocolVersion else {
                process.kill()
                throw ExecutorProcess.Failure(
                    description: "executor process \(process.pid) (\(settings.programName)) speaks executor protocol "
                        + "\(version), this worker \(ExecutorMessage.protocolVersion): it is another build of "
                        + "mimir-worker; restart the worker")
            }
            state.withLock { $0.startFailures = 0 }
            logger.info(
                "executor process ready",
                metadata: ["pid": "\(process.pid)", "milliseconds": "\((ContinuousClock.now - started).milliseconds)"])
            return process
        } catch {
            state.withLock { state in
                state.startFailures += 1
                // 0.25 s, 0.5 s, 1 s, ... up to 30 s between attempts.
                let exponent = min(state.startFailures - 1, 7)
                state.nextStart = ContinuousClock.now + min(.milliseconds(250 << exponent), .seconds(30))
            }
            throw error
        }
    }
}
