import Logging
import MimirPluginHost
import MimirQueue
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Renews the leases of all of a worker's running jobs on one clock: every report interval,
/// each job's progress and new log lines go to the queue (which renews its lease), a cancel
/// request or a lost lease cancels its executor, and once the worker is stopping every executor
/// is cancelled. Most jobs end before their first renewal; for them this costs an entry in a
/// table, not a task and a timer each.
final class LeaseRenewer: Sendable {
    /// One running job, as its slot registered it.
    final class Attempt: Sendable {
        let jobID: String
        let reporter: AttemptReporter
        let cancellation: CancellationToken
        /// Whether a renewal is in flight, and whether the slot has ended the attempt: a renewal's
        /// log lines must reach the queue before the outcome that ends the lease.
        fileprivate let gate = Mutex((renewing: false, ended: false))

        init(jobID: String, reporter: AttemptReporter, cancellation: CancellationToken) {
            self.jobID = jobID
            self.reporter = reporter
            self.cancellation = cancellation
        }
    }

    private let queue: JobQueue
    private let workerID: String
    private let interval: Duration
    /// Set when the worker's drain grace is over: running jobs are stopped and handed back.
    private let stopping: CancellationToken
    private let logger: Logger
    /// By attempt, not by job: a job given back by one slot may run on another slot of this
    /// worker before the first is done with it, or an end held by one slot may be of a job that
    /// another slot has taken again; each stays on the clock until its own `end`.
    private let attempts = Mutex<[ObjectIdentifier: Attempt]>([:])

    init(queue: JobQueue, workerID: String, interval: Duration, stopping: CancellationToken, logger: Logger) {
        self.queue = queue
        self.workerID = workerID
        self.interval = interval
        self.stopping = stopping
        self.logger = logger
    }

    func register(_ attempt: Attempt) {
        attempts.withLock { $0[ObjectIdentifier(attempt)] = attempt }
        if stopping.isCancelled { attempt.cancellation.cancel() }
    }

    /// Takes the attempt off the clock, waiting (on the slot's own thread) for a renewal of it in
    /// flight. Renewals are at most one per interval per job, so the wait is rare and short.
    func end(_ attempt: Attempt) {
        attempts.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(attempt)) }
        while true {
            let ended = attempt.gate.withLock { gate in
                guard !gate.renewing else { return false }
                gate.ended = true
                return true
            }
            if ended { return }
            usleep(1000)
        }
    }

    /// Ticks until the calling task is cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            let current = attempts.withLock { Array($0.values) }
            guard !current.isEmpty else { continue }
            await withDiscardingTaskGroup { group in
                for attempt in current { group.addTask { await self.renew(attempt) } }
            }
        }
    }

    private func renew(_ attempt: Attempt) async {
        if stopping.isCancelled { attempt.cancellation.cancel() }
        let proceed = attempt.gate.withLock { gate in
            guard !gate.ended else { return false }
            gate.renewing = true
            return true
        }
        guard proceed else { return }
        defer { attempt.gate.withLock { $0.renewing = false } }
        let pending = attempt.reporter.drain()
        var linesDelivered = false
        do {
            try await queue.appendLogs(jobID: attempt.jobID, lines: pending.lines, workerID: workerID)
            linesDelivered = true
            let cancelRequested = try await queue.heartbeat(
                jobID: attempt.jobID, workerID: workerID, progress: pending.progress, message: pending.message)
            if cancelRequested { attempt.cancellation.cancel() }
        } catch .unavailable(let error) {
            // Dropped here, the lines and progress an outage caught would never reach the queue.
            var undelivered = pending
            if linesDelivered { undelivered.lines = [] }
            attempt.reporter.putBack(undelivered, lineLimit: queue.configuration.logLinesPerJob)
            logger.warning(
                "cannot renew the lease; Redis unreachable or not ready",
                metadata: ["job": "\(attempt.jobID)", "error": "\(error)"])
        } catch {
            // The lease is gone (expired and taken elsewhere, or the job ended): stop working on it.
            logger.error(
                "lost the job's lease; stopping it", metadata: ["job": "\(attempt.jobID)", "error": "\(error)"])
            attempt.cancellation.cancel()
        }
    }
}
