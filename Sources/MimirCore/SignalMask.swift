#if canImport(Glibc)
    import Glibc
#endif

/// A process inherits the signal mask of the thread that started it, and the threads of
/// Dispatch and of Swift concurrency block most signals. A daemon started from one of them
/// would never see SIGTERM (Kubernetes' stop signal) or SIGINT; so each executable clears its
/// mask before anything else.
public enum SignalMask {
    public static func unblockAll() {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
    }
}
