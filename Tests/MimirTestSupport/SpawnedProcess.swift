import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started with `posix_spawn`, with a clean signal state and no inherited
/// descriptors.
///
/// Foundation's `Process` passes on the signal mask of the thread that starts it, and test code runs
/// on threads that block SIGTERM: a `redis-server` started that way never sees ``signal(_:)`` with
/// SIGTERM. It would also inherit the test process's open sockets (hiredis does not set
/// close-on-exec), keeping other tests' connections open after they close them.
public final class SpawnedProcess: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let pid: pid_t
    /// The wait status once the child has been reaped.
    private let status = Mutex<Int32?>(nil)

    /// Starts `executable` with stdin from /dev/null and stdout, stderr appended to `outputPath`.
    /// `environment` is added to (and overrides) this process's environment.
    public init(
        executable: String, arguments: [String], outputPath: String, environment: [String: String] = [:]
    ) throws(Failure) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD] {
            sigaddset(&defaultSignals, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard Self.addCloseFrom(&actions, 3) else {
            throw Failure(description: "posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34+ needed)")
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer {
            for argument in argv { free(argument) }
        }
        let variables = Self.mergedEnvironment(environment).map { strdup($0) } + [nil]
        defer {
            for variable in variables { free(variable) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, variables)
        guard result == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        LiveChildren.add(pid)
    }

    /// `NAME=value` strings: this process's environment with `overrides` applied.
    private static func mergedEnvironment(_ overrides: [String: String]) -> [String] {
        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if overrides[name] == nil { entries.append(text) }
            pointer += 1
        }
        return entries + overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            var waitStatus: Int32 = 0
            _ = waitpid(pid, &waitStatus, 0)
        }
    }

    /// Reaps the child when it has exited, so it never lingers as a zombie.
    public var isRunning: Bool {
        status.withLock { status in
            if status != nil { return false }
            var waitStatus: Int32 = 0
            let result = waitpid(pid, &waitStatus, WNOHANG)
            if result == pid || (result == -1 && errno == ECHILD) {
                LiveChildren.remove(pid)
                status = waitStatus
                return false
            }
            return true
        }
    }

    /// The exit code once the child has exited on its own; `nil` while it runs or if a signal
    /// ended it.
    public var exitCode: Int32? {
        _ = isRunning
        return status.withLock { status in
            guard let status, status & 0x7f == 0 else { return nil }
            return (status >> 8) & 0xff
        }
    }

    /// The signal that ended the child, if one did.
    public var terminatingSignal: Int32? {
        _ = isRunning
        return status.withLock { status in
            guard let status, status & 0x7f != 0, status & 0x7f != 0x7f else { return nil }
            return status & 0x7f
        }
    }

    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Polls, so a test's task never blocks a cooperative thread waiting for the child.
    public func waitForExit() async {
        while isRunning {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// glibc declares `posix_spawn_file_actions_addclosefrom_np` only under `_GNU_SOURCE`, which the
    /// Swift Glibc module does not define; it is looked up at run time instead.
    private static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Bool {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return false }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest) == 0
    }
}

/// Every child still running, killed when the test process exits: suite-wide fixtures (a shared
/// Redis held in a static) are never deinitialised, and their servers would outlive the tests.
enum LiveChildren {
    private static let pids = Mutex<Set<pid_t>>([])
    private static let hook: Void = { atexit { LiveChildren.killAll() } }()

    static func add(_ pid: pid_t) {
        _ = hook
        pids.withLock { _ = $0.insert(pid) }
    }

    static func remove(_ pid: pid_t) {
        pids.withLock { _ = $0.remove(pid) }
    }

    static func killAll() {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}
