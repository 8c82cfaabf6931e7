#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts a detached POSIX thread that runs one closure.
///
/// For work that blocks for as long as it takes (a plugin's execute, a child process's start),
/// which must never hold a thread of Swift concurrency's small pool. Foundation's `Thread` does
/// the same but brings the whole of Foundation (and ICU) into the process: megabytes of resident
/// memory in a worker that otherwise needs only FoundationEssentials.
public enum DetachedThread {
    /// Returns false, without running `body`, when the system refuses a new thread (EAGAIN:
    /// out of memory or over the thread limit); the caller decides how to degrade.
    ///
    /// - Parameter stackSize: bytes, or `nil` for the system default.
    @discardableResult
    public static func start(stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(
            &thread, &attributes,
            { context in
                guard let context else { return nil }
                Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
                return nil
            }, context)
        guard started == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return false
        }
        return true
    }

    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
