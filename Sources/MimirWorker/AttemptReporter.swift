import MimirPluginHost
import MimirQueue
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Collects what an executor reports while it runs, for the attempt's next report to the queue:
/// the latest progress (so a chatty executor costs one write per report, not one per call) and
/// the log lines since the last report.
final class AttemptReporter: ExecutionObserver {
    struct Pending {
        var progress: Double?
        var message: String?
        var lines: [LogLine] = []
    }

    private let pending = Mutex(Pending())

    func executorLogged(_ level: ExecutorLogLevel, _ message: String) {
        let line = LogLine(time: Self.now(), level: level.rawValue, message: message)
        pending.withLock { $0.lines.append(line) }
    }

    func executorProgressed(_ fraction: Double, _ message: String?) {
        pending.withLock {
            $0.progress = fraction
            if let message { $0.message = message }
        }
    }

    /// Whether nothing has arrived since the last ``drain()``.
    var isDrained: Bool {
        pending.withLock { $0.lines.isEmpty && $0.progress == nil && $0.message == nil }
    }

    /// What arrived since the last call.
    func drain() -> Pending {
        pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
    }

    /// Puts back what a renewal took but could not deliver (Redis away), ahead of what arrived
    /// since, so the next renewal or the attempt's end carries it. At most `lineLimit` lines are
    /// kept, the newest: the queue keeps no more of a job's lines than that.
    func putBack(_ undelivered: Pending, lineLimit: Int) {
        pending.withLock { pending in
            pending.lines = Array((undelivered.lines + pending.lines).suffix(max(lineLimit, 0)))
            pending.progress = pending.progress ?? undelivered.progress
            pending.message = pending.message ?? undelivered.message
        }
    }

    private static func now() -> Int64 {
        SystemQueueClock().nowMilliseconds()
    }
}
