#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Threads for blocking work that stay parked for a while after it, so a steady stream of work
/// reuses them instead of creating a thread each time.
///
/// Elastic and never queueing: work goes to a parked thread if one is waiting, else to a new
/// thread, so a body that never returns (a hung plugin) costs its own thread and nobody else's
/// turn. A thread parked for `idleSeconds` exits. Creating and ending a thread costs 35–105 µs on
/// a two-core machine: per job, that was the biggest cost of running a no-op job after Redis.
public final class ParkedThreads: @unchecked Sendable {  // Mutable state is guarded by `mutex`.
    public typealias Work = @Sendable () -> Void

    public let stackSize: Int?
    public let idleSeconds: Int
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wakeUp: UnsafeMutablePointer<pthread_cond_t>
    /// Work handed to parked threads and not yet picked up; never more than `parked`.
    private var handed: [Work] = []
    private var parked = 0
    private var started = 0

    /// - Parameter stackSize: bytes for each thread's stack, or `nil` for the system default.
    public init(stackSize: Int? = nil, idleSeconds: Int = 30) {
        self.stackSize = stackSize
        self.idleSeconds = idleSeconds
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        wakeUp = MonotonicCondition.make()
    }

    deinit {
        // Parked threads hold `self` (they run `park`), so none is left when this runs.
        MonotonicCondition.destroy(wakeUp)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `work` on a parked thread or a new one. Returns false, without running it, when the
    /// system refuses a new thread.
    @discardableResult
    public func run(_ work: @escaping Work) -> Bool {
        pthread_mutex_lock(mutex)
        if handed.count < parked {
            handed.append(work)
            pthread_cond_signal(wakeUp)
            pthread_mutex_unlock(mutex)
            return true
        }
        started += 1
        pthread_mutex_unlock(mutex)
        let running = DetachedThread.start(stackSize: stackSize) { [self] in
            var next: Work? = work
            while let current = next {
                current()
                next = park()
            }
        }
        if !running {
            pthread_mutex_lock(mutex)
            started -= 1
            pthread_mutex_unlock(mutex)
        }
        return running
    }

    /// Threads started so far and still running (busy or parked).
    public var threadCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return started
    }

    /// Threads parked, waiting for work.
    public var parkedCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return parked - handed.count
    }

    /// Waits for work handed over; `nil` after `idleSeconds` without any, the thread ending.
    private func park() -> Work? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        parked += 1
        var deadline = MonotonicCondition.deadline(secondsFromNow: idleSeconds)
        while handed.isEmpty {
            if pthread_cond_timedwait(wakeUp, mutex, &deadline) == ETIMEDOUT, handed.isEmpty {
                parked -= 1
                started -= 1
                return nil
            }
        }
        parked -= 1
        return handed.removeFirst()
    }
}
