import MimirCore

#if canImport(Glibc)
    import Glibc
#endif

/// A program started with `posix_spawn`: its own environment, stdin from /dev/null, stdout and
/// stderr appended to a log file, no inherited descriptors beyond those, and every signal
/// unblocked and at its default (a parent's threads may block SIGTERM, and the child must still
/// drain on it).
struct ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t

    init(executable: String, arguments: [String], environment: [String: String], logPath: String) throws(Failure) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        SpawnSetup.closeFrom(&actions, 3)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = SpawnSetup.withAttributes { posix_spawn(&pid, executable, &actions, &$0, argv, envp) }
        guard result == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// How the child ended, if it has (reaping it); `nil` while it runs.
    func ended() -> Termination? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return result == -1 && errno == ECHILD ? .exited(0) : nil }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
    }

    /// Blocks until the child has ended, without reaping it, so that `ended()` can still say how.
    /// Returns at once if it was reaped already.
    func waitUntilEnded() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
    }

    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Descriptors above stderr are not inherited (glibc 2.34+; without it, the orchestrator's
    /// sockets are marked close-on-exec anyway).
}
