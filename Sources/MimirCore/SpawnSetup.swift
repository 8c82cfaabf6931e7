#if canImport(Glibc)
    import Glibc
#endif

/// What every child this project starts with `posix_spawn` needs, kept in one place: a clean
/// signal state (the starting thread may block SIGTERM, and the child must still drain on it)
/// in a process group of its own (a Ctrl-C meant for the parent's terminal does not reach the
/// child, which the parent stops in order instead), and no inherited descriptors.
public enum SpawnSetup {
    /// Runs `body` with attributes that unblock every signal, reset the usual ones to their
    /// defaults and put the child in a new process group.
    public static func withAttributes<T>(_ body: (inout posix_spawnattr_t) -> T) -> T {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        return body(&attributes)
    }

    /// Closes every descriptor from `lowest` up in the child (glibc 2.34+; older ones lack it, and
    /// the descriptors this project opens are close-on-exec anyway).
    public static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }
}
