#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// hiredis writes with `write(2)`, and writing to a socket whose peer has gone (Redis restarted)
/// raises SIGPIPE, whose default action kills the whole process. Ignoring it turns that into the
/// EPIPE error every caller already handles. Done once, before the first connection; a process that
/// installed its own SIGPIPE handler keeps it.
enum IgnoreSIGPIPE {
    static let once: Void = {
        var current = sigaction()
        if sigaction(SIGPIPE, nil, &current) == 0, !isDefaultDisposition(current) { return }
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    private static func isDefaultDisposition(_ action: sigaction) -> Bool {
        #if canImport(Glibc)
            return action.__sigaction_handler.sa_handler == nil
        #else
            return action.__sigaction_u.__sa_handler == nil
        #endif
    }
}
