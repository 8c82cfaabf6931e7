import MimirCore

#if canImport(Glibc)
    import Glibc
#endif

/// Looks on the clock at jobs whose executors run in the worker's own process (`--isolation
/// none`). There the slot's thread is inside the plugin for the job's whole run, so it cannot see
/// the job run long the way it does between an executor process's messages (`ExecutorLane`); the
/// ends it holds and the jobs it took ahead would wait for the whole run.
///
/// One thread for the worker looks every `interval` at the jobs being watched and, once one has run
/// `longAfter`, runs its slot's `onLong` (report the held ends, give back the jobs taken ahead)
/// while the slot's thread is still in the plugin. The slot touches its session only after the
/// job, and `watching` does not return while `onLong` runs, so the slot's state is never used by
/// two threads at once: that is what makes handing a non-`Sendable` closure to another thread
/// sound here.
///
/// Watching a job costs its slot two short lock holds, no wake-up: the thread is not signalled, it
/// finds new jobs at its next look. It starts with the first job watched and ends after
/// `idleExit` with none, so an idle worker has no thread waking for it.
final class InProcessWatch: @unchecked Sendable {  // Mutable state is guarded by `mutex`.
    let interval: Duration
    let idleExit: Duration
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when an `onLong` has returned, for the slot waiting to go on after its job.
    private let acted: UnsafeMutablePointer<pthread_cond_t>
    /// What the thread sleeps on between looks (nobody signals it: a sleep that lets go of `mutex`).
    private let tick: UnsafeMutablePointer<pthread_cond_t>
    private var watched: [Int: Watched] = [:]
    private var nextTicket = 0
    private var threadRunning = false

    private struct Watched {
        let longAt: ContinuousClock.Instant
        let onLong: () -> Void
        var state = State.running
    }

    private enum State {
        case running
        /// `onLong` runs on the watch's thread now.
        case acting
        /// `onLong` has run: once per job.
        case acted
    }

    init(interval: Duration = ExecutorLane.watchInterval, idleExit: Duration = .seconds(1)) {
        self.interval = interval
        self.idleExit = idleExit
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        acted = MonotonicCondition.make()
        tick = MonotonicCondition.make()
    }

    deinit {
        // Only reached once the thread has ended: it holds a reference to the watch while it runs.
        MonotonicCondition.destroy(acted)
        MonotonicCondition.destroy(tick)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Whether the watch's thread runs now (for tests).
    var isRunning: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return threadRunning
    }

    /// Runs `job` on the calling thread; if it is still running `longAfter` from now, `onLong` is
    /// called once, on the watch's thread, while `job` goes on. Returns once `job` has returned and
    /// `onLong` is not running.
    func watching<Result>(longAfter: Duration, onLong: @escaping () -> Void, _ job: () -> Result) -> Result {
        pthread_mutex_lock(mutex)
        let ticket = nextTicket
        nextTicket &+= 1
        watched[ticket] = Watched(longAt: .now + longAfter, onLong: onLong)
        let startThread = !threadRunning
        threadRunning = true
        pthread_mutex_unlock(mutex)
        if startThread, !DetachedThread.start({ self.look() }) {
            // No thread to be had (out of memory or threads): the job runs unwatched, as it would
            // have without the watch.
            pthread_mutex_lock(mutex)
            threadRunning = false
            pthread_mutex_unlock(mutex)
        }

        let result = job()

        pthread_mutex_lock(mutex)
        while watched[ticket]?.state == .acting { pthread_cond_wait(acted, mutex) }
        watched[ticket] = nil
        pthread_mutex_unlock(mutex)
        return result
    }

    /// The watch's thread: every `interval`, runs `onLong` for the jobs that have run long, one
    /// at a time; ends once nothing has been watched for `idleExit`.
    private func look() {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var lastWatched = ContinuousClock.now
        while true {
            let now = ContinuousClock.now
            if let due = watched.first(where: { $0.value.state == .running && $0.value.longAt <= now }) {
                watched[due.key]?.state = .acting
                pthread_mutex_unlock(mutex)
                due.value.onLong()
                pthread_mutex_lock(mutex)
                watched[due.key]?.state = .acted
                pthread_cond_broadcast(acted)
                continue
            }
            if !watched.isEmpty {
                lastWatched = now
            } else if now - lastWatched >= idleExit {
                threadRunning = false
                return
            }
            var deadline = MonotonicCondition.deadline(after: interval)
            pthread_cond_timedwait(tick, mutex, &deadline)
        }
    }
}
