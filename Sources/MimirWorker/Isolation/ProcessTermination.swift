#if canImport(Glibc)
    import Glibc
#endif

/// How an executor process ended, from its `waitpid` status, in words for a job's error.
enum ProcessTermination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    init(waitStatus status: Int32) {
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signalled(status & 0x7f)
        }
    }

    /// "crashed with SIGSEGV (signal 11)", "exited with status 3".
    var description: String {
        switch self {
        case .exited(let status):
            return "exited with status \(status)"
        case .signalled(let number):
            let name = Self.signalNames[number].map { "\($0) (signal \(number))" } ?? "signal \(number)"
            // SIGKILL nobody here sent is most often the kernel's out-of-memory killer.
            return "crashed with \(name)" + (number == SIGKILL ? "; perhaps killed for using too much memory" : "")
        }
    }

    private static let signalNames: [Int32: String] = [
        SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGFPE: "SIGFPE",
        SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP", SIGSYS: "SIGSYS", SIGXCPU: "SIGXCPU",
        SIGXFSZ: "SIGXFSZ", SIGPIPE: "SIGPIPE", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGHUP: "SIGHUP",
        SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
    ]
}
