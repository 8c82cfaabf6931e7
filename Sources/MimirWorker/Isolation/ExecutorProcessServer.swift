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
public enum ExecutorProcessServer {
    /// Where the worker put the pipes (ExecutorProcess.swift).
    static let requestDescriptor: Int32 = 3
    static let eventDescriptor: Int32 = 4

    /// Whether this process was started as an executor process (both pipes are there).
    public static var hasPipes: Bool {
        fcntl(requestDescriptor, F_GETFD) >= 0 && fcntl(eventDescriptor, F_GETFD) >= 0
    }

    /// Serves jobs until the worker goes away; never returns.
    public static func serve(registry: ExecutorRegistry, logger: Logger) -> Never {
        let requests = FrameChannel(descriptor: requestDescriptor)
        let events = EventSender(channel: FrameChannel(descriptor: eventDescriptor))
        let running = Mutex<CancellationToken?>(nil)
        events.send(.ready(pid: getpid(), jobTypes: registry.jobTypes))
        while true {
            let request: FrameChannel.ReadResult
            do {
                request = try requests.read()
            } catch {
                logger.error("executor process: unreadable request; exiting", metadata: ["error": "\(error)"])
                _exit(3)
            }
            guard case .frame(let json) = request else {
                // End of file: the worker stops this process, or is gone. When idle, plugins get
                // their orderly shutdown; mid-job the worker is gone and nobody waits for the job.
                if running.withLock({ $0 }) == nil {
                    registry.shutdown()
                    exit(0)
                }
                _exit(0)
            }
            switch ExecutorMessage(json) {
            case .run(let jobType, let request):
                let token = CancellationToken()
                running.withLock { $0 = token }
                let started = JobAttempt.jobThreads.run {
                    let outcome =
                        registry.executor(for: jobType)?.run(request, observer: events, cancellation: token)
                        ?? ExecutionOutcome(
                            status: .permanentFailure, message: "this worker's executor process has no \(jobType)")
                    running.withLock { $0 = nil }
                    events.send(.outcome(outcome))
                }
                if !started {
                    running.withLock { $0 = nil }
                    events.send(
                        .outcome(
                            ExecutionOutcome(
                                status: .retryableFailure,
                                message: "the executor process could not start a thread for the job")))
                }
            case .cancel:
                running.withLock { $0 }?.cancel()
            default:
                logger.warning("executor process: unexpected request ignored", metadata: ["request": "\(json)"])
            }
        }
    }
}

/// Sends events to the worker from any thread (a plugin may log from several), one whole frame
/// at a time. If the worker is gone there is nobody to work for: the process exits.
final class EventSender: ExecutionObserver {
    private let channel: Mutex<FrameChannel>

    init(channel: FrameChannel) {
        self.channel = Mutex(channel)
    }

    func send(_ message: ExecutorMessage) {
        channel.withLock { channel in
            do {
                try channel.write(message.json)
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
