import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Ends a worker whose parent (the orchestrator that started it with the local backend) is gone.
///
/// Local workers run in their own process group, so a `kill -9` of the orchestrator leaves them
/// running as orphans: still taking jobs, but heartbeating to an orchestrator that no longer
/// exists, never counted by the restarted one's scaler (its backend did not start them), never told
/// to retire and never stopped on its shutdown. Watching the parent pid turns that into a drain:
/// running jobs finish and report to Redis, then the worker exits, and the next orchestrator starts
/// fresh workers. `PR_SET_PDEATHSIG` is not used because it fires when the *thread* that spawned
/// the child ends, and the orchestrator spawns from pool threads that come and go.
public enum ParentWatch {
    /// The environment variable the local backend sets to its own pid.
    public static let environmentName = "MIMIR_PARENT_PID"

    /// Polls `getppid()` until it is no longer `parent` (the parent died and the worker was
    /// re-parented), then calls `gone` once. Returns when the task is cancelled.
    public static func run(
        parent: pid_t, interval: Duration = .milliseconds(500), logger: Logger, gone: @Sendable () -> Void
    ) async {
        while !Task.isCancelled {
            let current = getppid()
            if current != parent {
                logger.notice(
                    "the orchestrator that started this worker is gone; draining",
                    metadata: ["parent": "\(parent)", "now": "\(current)"])
                gone()
                return
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The pid to watch from the environment value, if it is one. Not pid 1: re-parenting goes to
    /// init, so a change could not be seen, and when pid 1 dies its whole pid namespace goes anyway.
    public static func parent(from value: String?) -> pid_t? {
        guard let value, let pid = pid_t(value), pid > 1 else { return nil }
        return pid
    }
}
