import Logging
import MimirCore
import Synchronization

/// What a `mimir_context *` points to: the host's side of one `init` or `execute` call. The
/// plugin may call host services on it from several threads, so all mutable state is locked.
final class CallContext: Sendable {
    enum Purpose: Sendable {
        /// An `init` call: logs go to the worker's logger; progress and results are ignored.
        case initialization(logger: Logger)
        case job(
            observer: (any ExecutionObserver)?, cancellation: CancellationToken, deadline: ContinuousClock.Instant?,
            scratch: ScratchSpace)
    }

    struct Reports: Sendable {
        var result: JSONValue?
        var invalidResult: String?
        var error: String?
        var artifacts: [Artifact] = []
        var loggedBytes = 0
        var droppedLogLines = 0
    }

    let purpose: Purpose
    let maxLogBytes: Int
    private let reports = Mutex(Reports())
    /// Nanoseconds (continuous clock) of the last sign of life: a heartbeat, progress or log.
    private let lastActivity = Atomic<Int64>(0)
    private static let epoch = ContinuousClock.now

    init(purpose: Purpose, maxLogBytes: Int = 1 << 20) {
        self.purpose = purpose
        self.maxLogBytes = maxLogBytes
        markActive()
    }

    var snapshot: Reports { reports.withLock { $0 } }

    var isCancelled: Bool {
        guard case .job(_, let cancellation, let deadline, _) = purpose else { return false }
        if cancellation.isCancelled { return true }
        if let deadline, ContinuousClock.now >= deadline { return true }
        return false
    }

    var hasTimedOut: Bool {
        guard case .job(_, let cancellation, let deadline?, _) = purpose else { return false }
        return !cancellation.isCancelled && ContinuousClock.now >= deadline
    }

    /// Time since the executor last showed it was alive.
    var idleTime: Duration {
        let now = (ContinuousClock.now - Self.epoch).nanoseconds
        return .nanoseconds(now - lastActivity.load(ordering: .relaxed))
    }

    func markActive() {
        lastActivity.store((ContinuousClock.now - Self.epoch).nanoseconds, ordering: .relaxed)
    }

    func log(_ level: ExecutorLogLevel, _ message: String) {
        markActive()
        switch purpose {
        case .initialization(let logger):
            logger.log(level: level.swiftLogLevel, "\(message)")
        case .job(let observer, _, _, _):
            let admitted = reports.withLock { reports -> Bool in
                guard reports.loggedBytes + message.utf8.count <= maxLogBytes else {
                    reports.droppedLogLines += 1
                    return false
                }
                reports.loggedBytes += message.utf8.count
                return true
            }
            if admitted { observer?.executorLogged(level, message) }
        }
    }

    func progress(_ fraction: Double, _ message: String?) {
        markActive()
        guard case .job(let observer, _, _, _) = purpose, !fraction.isNaN else { return }
        observer?.executorProgressed(min(max(fraction, 0), 1), message)
    }

    /// Returns why `json` was refused (not JSON, or not a job); the previous result is then kept.
    func setResult(_ json: String) -> String? {
        markActive()
        guard case .job = purpose else { return "set_result outside a job" }
        do {
            let value = try JSONValue.parse(json)
            reports.withLock {
                $0.result = value
                $0.invalidResult = nil
            }
            return nil
        } catch {
            reports.withLock { $0.invalidResult = error.description }
            return error.description
        }
    }

    func setError(_ message: String) {
        reports.withLock { $0.error = message }
    }

    /// The job's scratch directory as a C string, made on first use; `nil` when it cannot be.
    func scratchDirectory() -> UnsafePointer<CChar>? {
        markActive()
        guard case .job(_, _, _, let scratch) = purpose else { return nil }
        do {
            return try scratch.path()
        } catch {
            log(.error, "\(error)")
            return nil
        }
    }

    func addArtifact(_ artifact: Artifact) {
        markActive()
        guard case .job = purpose else { return }
        reports.withLock { $0.artifacts.append(artifact) }
    }
}

extension ExecutorLogLevel {
    var swiftLogLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
