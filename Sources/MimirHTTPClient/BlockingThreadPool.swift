import MimirCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Threads for blocking curl calls made on behalf of async callers.
///
/// Elastic: a job goes to the most recently idle thread if there is one (its session's
/// connections are the warmest, and the least recently used threads can retire), else to a new
/// thread while there are fewer than `maximumThreads`, else it waits its turn in a queue. A thread
/// idle for `idleSeconds` exits, closing its kept connections.
///
/// Why not the Swift cooperative pool: it has one thread per core (two here), and a blocking
/// exchange of up to `timeout` would hold one of them. Why not a new thread per call: creating and
/// joining one costs 35–105 µs on a two-core machine, a third of a loopback request, and its
/// connection would die with it; a pool thread keeps a `Session` per client, so async requests
/// reuse connections (100–230 µs per loopback request, against 270–390 µs with a new connection
/// each time). The cap bounds threads and sockets under a burst, at the price of queueing while
/// that many exchanges are in flight.
final class BlockingThreadPool: @unchecked Sendable {  // Mutable state is guarded by `mutex`.
    /// Does the blocking work and returns how to deliver its result. The pool calls that after
    /// marking the thread idle again, so a caller that answers with its next request finds this
    /// thread, and its warm connection, ready.
    typealias Job = @Sendable (SessionCache) -> Completion
    typealias Completion = @Sendable () -> Void

    static let shared = BlockingThreadPool(maximumThreads: 64, idleSeconds: 20)

    let maximumThreads: Int
    let idleSeconds: Int
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var queue: [Job] = []
    private var queueStart = 0
    private var threads = 0
    /// Idle threads, the most recently idle last.
    private var idle: [Worker] = []

    /// A pool thread's mailbox: it sleeps on `wakeUp` until `job` is set or it times out.
    private final class Worker {
        let wakeUp: UnsafeMutablePointer<pthread_cond_t>
        var job: Job?

        init(job: Job?) {
            self.job = job
            wakeUp = MonotonicCondition.make()
        }

        deinit {
            MonotonicCondition.destroy(wakeUp)
        }
    }

    init(maximumThreads: Int, idleSeconds: Int) {
        self.maximumThreads = max(1, maximumThreads)
        self.idleSeconds = max(1, idleSeconds)
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        // Only reached once no thread runs: each holds a reference to the pool while it lives.
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Number of threads alive now (for tests and diagnostics).
    var threadCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return threads
    }

    func submit(_ job: @escaping Job) {
        pthread_mutex_lock(mutex)
        if let worker = idle.popLast() {
            worker.job = job
            pthread_cond_signal(worker.wakeUp)
            pthread_mutex_unlock(mutex)
            return
        }
        guard threads < maximumThreads else {
            queue.append(job)
            pthread_mutex_unlock(mutex)
            return
        }
        threads += 1
        pthread_mutex_unlock(mutex)
        if !spawn(Worker(job: job)) { threadFailedToStart(job) }
    }

    private func spawn(_ worker: Worker) -> Bool {
        // Handed over: from here on only the new thread uses this mailbox's job.
        nonisolated(unsafe) let worker = worker
        return DetachedThread.start { [self] in work(worker) }
    }

    /// The job that found no thread runs on the submitter's thread, and so do the queued ones if no
    /// pool thread is left to run them: degraded, never stuck.
    private func threadFailedToStart(_ job: @escaping Job) {
        pthread_mutex_lock(mutex)
        threads -= 1
        var orphans: [Job] = [job]
        if threads == 0 {
            orphans += queue[queueStart...]
            queue.removeAll()
            queueStart = 0
        }
        pthread_mutex_unlock(mutex)
        let sessions = SessionCache()
        for orphan in orphans { orphan(sessions)() }
    }

    private func work(_ worker: Worker) {
        let sessions = SessionCache()
        // Set before the thread started, so no lock is needed to read it.
        var job = worker.job
        worker.job = nil
        while let current = job {
            let complete = current(sessions)
            pthread_mutex_lock(mutex)
            if let next = dequeue() {
                pthread_mutex_unlock(mutex)
                complete()
                job = next
                continue
            }
            idle.append(worker)
            pthread_mutex_unlock(mutex)
            complete()
            job = nextJob(for: worker)
        }
    }

    /// Waits, idle, for a job handed to `worker`; `nil` after `idleSeconds`, the thread retiring.
    private func nextJob(for worker: Worker) -> Job? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var deadline = MonotonicCondition.deadline(after: .seconds(idleSeconds))
        while worker.job == nil {
            if pthread_cond_timedwait(worker.wakeUp, mutex, &deadline) == ETIMEDOUT { break }
        }
        if let job = worker.job {
            worker.job = nil
            return job
        }
        // Nobody handed it a job, so it is still in `idle`.
        idle.removeAll { $0 === worker }
        threads -= 1
        return nil
    }

    /// The oldest queued job; call with `mutex` held.
    private func dequeue() -> Job? {
        guard queueStart < queue.count else { return nil }
        let job = queue[queueStart]
        queueStart += 1
        if queueStart == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
        } else if queueStart >= 64, queueStart * 2 >= queue.count {
            queue.removeFirst(queueStart)
            queueStart = 0
        }
        return job
    }
}
