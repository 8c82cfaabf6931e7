import Logging
import MimirCore
import MimirPluginHost
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The child side of executor isolation: `mimir-worker executor-process` loads the plugins, says
/// it is ready, then runs the jobs its worker sends, one at a time, reporting logs, progress and
/// the outcome back. It exits when its worker closes the request pipe, or dies.
///
/// A job runs on the thread that reads the requests: handing each to another thread cost two
/// context switches per job. A second thread waits on the cancel pipe, and wakes only for a
/// cancellation (or the worker's death).
public enum ExecutorProcessServer {
    /// Where the worker put the pipes (ExecutorProcess.swift).
    static let requestDescriptor: Int32 = 3
    static let eventDescriptor: Int32 = 4
    static let cancelDescriptor: Int32 = 5

    /// Whether this process was started as an executor process (all three pipes are there).
    public static var hasPipes: Bool {
        [requestDescriptor, eventDescriptor, cancelDescriptor].allSatisfy { fcntl($0, F_GETFD) >= 0 }
    }

    /// What the serving and the cancel thread share. The pipes are read by different threads, so a
    /// cancellation can be read before the run it follows, and the worker's death (end of file on
    /// the cancel pipe) before a run it sent just before dying: both are kept for the run. A
    /// withdraw is decided here too, under the same lock as a run's start, so that its answer is
    /// true: either the run has started, or it never will.
    final class RunningJob: Sendable {
        struct Job {
            let jobID: String
            let attempt: UInt32
            let token: CancellationToken
        }

        struct State {
            var current: Job?
            /// A cancellation for a job not running (yet): the next run it names starts cancelled.
            var pendingCancel: (jobID: String, attempt: UInt32)?
            /// Runs withdrawn before they started: each skipped when it is read. (One at most in
            /// practice; a list costs nothing and needs no argument about which comes first.)
            var withdrawn: [(jobID: String, attempt: UInt32)] = []
            /// The last run started. The worker sends at most one run ahead of the one running,
            /// and its next only once the withdraw is answered, so a withdraw names this one or a
            /// run not started.
            var lastStarted: (jobID: String, attempt: UInt32)?
            var workerGone = false
        }

        enum Start {
            case run(CancellationToken)
            /// Withdrawn: the worker has it back.
            case skip
            /// Nobody waits for it.
            case workerGone
        }

        private let state = Mutex(State())

        /// What to do with a run read now.
        func start(jobID: String, attempt: UInt32) -> Start {
            state.withLock { state in
                guard !state.workerGone else { return .workerGone }
                if let index = state.withdrawn.firstIndex(where: { $0.jobID == jobID && $0.attempt == attempt }) {
                    state.withdrawn.remove(at: index)
                    return .skip
                }
                let token = CancellationToken()
                if let pending = state.pendingCancel, pending.jobID == jobID, pending.attempt == attempt {
                    token.cancel()
                }
                state.pendingCancel = nil
                state.current = Job(jobID: jobID, attempt: attempt, token: token)
                state.lastStarted = (jobID, attempt)
                return .run(token)
            }
        }

        func end() {
            state.withLock { $0.current = nil }
        }

        /// A cancellation stops the running job only if it names that job and attempt.
        func cancel(jobID: String, attempt: UInt32) {
            state.withLock { state in
                if let current = state.current, current.jobID == jobID, current.attempt == attempt {
                    current.token.cancel()
                } else {
                    state.pendingCancel = (jobID, attempt)
                }
            }
        }

        /// Whether the run named is withdrawn in time: false once it has started.
        func withdraw(jobID: String, attempt: UInt32) -> Bool {
            state.withLock { state in
                if let started = state.lastStarted, started.jobID == jobID, started.attempt == attempt { return false }
                state.withdrawn.append((jobID, attempt))
                return true
            }
        }

        /// The worker is gone: true when a job runs (the caller ends the process at once).
        func workerLeft() -> Bool {
            state.withLock { state in
                state.workerGone = true
                return state.current != nil
            }
        }
    }

    /// Serves jobs until the worker goes away; never returns.
    public static func serve(registry: ExecutorRegistry, logger: Logger) -> Never {
        let events = EventSender(channel: FrameChannel(descriptor: eventDescriptor))
        let running = RunningJob()
        // Plugins run on the serving thread, so it gets the job threads' stack (the main thread's
        // is whatever RLIMIT_STACK says).
        let started =
            DetachedThread.start { watchCancellations(running: running, events: events, logger: logger) }
            && DetachedThread.start(stackSize: JobAttempt.jobThreadStackSize) {
                serveRequests(registry: registry, events: events, running: running, logger: logger)
            }
        guard started else {
            logger.error("executor process: cannot start its threads; exiting")
            _exit(3)
        }
        while true { pause() }
    }

    private static func serveRequests(
        registry: ExecutorRegistry, events: EventSender, running: RunningJob, logger: Logger
    ) -> Never {
        let requests = FrameChannel(descriptor: requestDescriptor)
        events.send(
            .ready(protocolVersion: ExecutorMessage.protocolVersion, pid: getpid(), jobTypes: registry.jobTypes))
        while true {
            let request: FrameChannel.ReadResult
            do {
                request = try requests.read()
            } catch {
                logger.error("executor process: unreadable request; exiting", metadata: ["error": "\(error)"])
                _exit(3)
            }
            guard case .message(let message) = request else {
                // End of file between jobs: the worker stops this process, or is gone. Plugins get
                // their orderly shutdown.
                registry.shutdown()
                exit(0)
            }
            switch message {
            case .run(let jobType, let input):
                let token: CancellationToken
                switch running.start(jobID: input.jobID, attempt: input.attempt) {
                case .run(let started): token = started
                case .skip: continue
                case .workerGone: _exit(0)
                }
                // The worker checked the parameters against the same plugin's schema before sending.
                let outcome =
                    registry.executor(for: jobType)?.run(checked: input, observer: events, cancellation: token)
                    ?? ExecutionOutcome(
                        status: .permanentFailure, message: "this worker's executor process has no \(jobType)")
                running.end()
                events.send(.outcome(outcome))
            default:
                logger.warning("executor process: unexpected request ignored", metadata: ["request": "\(message)"])
            }
        }
    }

    /// Cancels the running job when its worker asks. End of file here means the worker is gone:
    /// mid-job nobody waits for the job any more, so the process ends at once; between jobs the
    /// request pipe's end of file ends it in order (and a run still in that pipe is not started).
    private static func watchCancellations(running: RunningJob, events: EventSender, logger: Logger) {
        let cancels = FrameChannel(descriptor: cancelDescriptor)
        while true {
            let message: FrameChannel.ReadResult
            do {
                message = try cancels.read()
            } catch {
                logger.error("executor process: unreadable cancellation; exiting", metadata: ["error": "\(error)"])
                _exit(3)
            }
            guard case .message(let cancellation) = message else {
                if running.workerLeft() { _exit(0) }
                return
            }
            switch cancellation {
            case .cancel(let jobID, let attempt):
                // A cancellation sent as its job ended may arrive once the next has started: it is
                // for that job and attempt only.
                running.cancel(jobID: jobID, attempt: attempt)
            case .withdraw(let jobID, let attempt):
                let withdrawn = running.withdraw(jobID: jobID, attempt: attempt)
                events.send(.withdrawal(jobID: jobID, attempt: attempt, withdrawn: withdrawn))
            default:
                logger.warning(
                    "executor process: unexpected cancellation ignored", metadata: ["message": "\(cancellation)"])
            }
        }
    }
}

/// Sends events to the worker from any thread (a plugin may log from several), one whole frame
/// at a time. If the worker is gone there is nobody to work for: the process exits.
final class EventSender: ExecutionObserver {
    private let channel: FrameChannel
    /// One frame at a time on the pipe.
    private let writing = Mutex(())

    init(channel: FrameChannel) {
        self.channel = channel
    }

    func send(_ message: ExecutorMessage) {
        writing.withLock { _ in
            do {
                try channel.send(message)
            } catch {
                _exit(0)
            }
        }
    }

    func executorLogged(_ level: ExecutorLogLevel, _ message: String) {
        send(.log(level, message))
    }

    func executorProgressed(_ fraction: Double, _ message: String?) {
        send(.progress(fraction, message))
    }
}
