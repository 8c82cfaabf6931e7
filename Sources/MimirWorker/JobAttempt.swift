import Logging
import MimirCore
import MimirPluginHost
import MimirQueue

#if canImport(Glibc)
    import Glibc
#endif

/// One leased job, run to its end on its slot's thread: the executor called here (in this
/// process or through an executor process), the lease renewed by the worker's `LeaseRenewer`
/// while it runs, and the outcome left with the slot's session for its next report (which
/// retries until Redis takes it, so a result is never dropped during a short outage).
struct JobAttempt {
    let job: JobRecord
    let executor: LoadedExecutor
    /// The slot's way to its executor processes; `nil` runs the executor in this process.
    let lane: ExecutorLane?
    /// The slot's next job, to send into the executor process behind this one.
    let next: ExecutorLane.Job?
    /// Watches a job run in this process (no `lane`) on the clock, when something waits for it.
    let watch: InProcessWatch?
    /// The slot's own connection to the queue.
    let session: QueueSession
    let configuration: WorkerConfiguration
    let logger: Logger
    /// Set when the worker is shutting down: the job is stopped and handed back.
    let stopping: CancellationToken
    /// The job's place on the worker's lease clock (`SlotAttempts`), which the slot takes it off
    /// when it reports the job's end.
    let attempt: LeaseRenewer.Attempt
    /// Called while the job runs long: on the slot's thread while an executor process runs it
    /// (once it has run `ExecutorLane.watchInterval`, and after each interval more); with a
    /// `watch`, once, on the watch's thread while the slot's thread is in the plugin.
    let runsLong: () -> Void
    /// Called on the slot's thread when the job sent ahead was withdrawn from the executor
    /// process before it started: the slot hands it back.
    let aheadWithdrawn: () -> Void

    /// Blocks for as long as the job takes: call it on a thread of its own, never one of Swift
    /// concurrency's small pool. Returns how long the executor ran.
    func run() -> Duration {
        let started = ContinuousClock.now
        let outcome: ExecutionOutcome
        if attempt.cancellation.isCancelled, lane?.hasSentAhead(job.id) != true {
            // Cancelled (or the worker stopping) while it waited its turn after being taken ahead:
            // the executor never sees it. (One sent ahead is in an executor process's pipe: the
            // lane cancels it there.)
            outcome = ExecutionOutcome(status: .cancelled, message: "cancelled before it started")
        } else {
            let request = Self.request(for: job)
            if let lane {
                outcome = lane.run(
                    executor, request, sendingAhead: next, observer: attempt.reporter,
                    cancellation: attempt.cancellation, stillRunning: runsLong, withdrawn: aheadWithdrawn)
            } else if let watch {
                outcome = watch.watching(
                    longAfter: max(ExecutorLane.watchInterval, configuration.shortJob), onLong: runsLong
                ) {
                    executor.run(request, observer: attempt.reporter, cancellation: attempt.cancellation)
                }
            } else {
                outcome = executor.run(request, observer: attempt.reporter, cancellation: attempt.cancellation)
            }
        }
        let ranFor = ContinuousClock.now - started
        finish(outcome, attempt.reporter)
        return ranFor
    }

    /// The stack of a job's thread, here and in executor processes: plugins (ML training, deep
    /// recursion in parsers) may need more than a secondary thread's default.
    static let jobThreadStackSize = 8 << 20

    private func finish(_ outcome: ExecutionOutcome, _ reporter: AttemptReporter) {
        var lines = reporter.drain().lines
        if outcome.droppedLogLines > 0 {
            lines.append(
                LogLine(
                    time: SystemQueueClock().nowMilliseconds(), level: "warning",
                    message: "\(outcome.droppedLogLines) log lines dropped: the per-job log limit was reached"))
        }
        session.finishLater(
            jobID: job.id, workerID: configuration.workerID,
            outcome: Self.attemptOutcome(outcome, handedBack: stopping.isCancelled, worker: configuration.workerID),
            lines: lines, attempt: job.attempts, startedAt: job.startedAt)
        logger.debug(
            "job ran",
            metadata: ["job": "\(job.id)", "type": "\(job.type)", "outcome": "\(outcome.status.rawValue)"])
    }

    static func attemptOutcome(_ outcome: ExecutionOutcome, handedBack: Bool, worker: String) -> AttemptOutcome {
        let message = outcome.message ?? outcome.status.rawValue
        switch outcome.status {
        case .succeeded:
            return .succeeded(result: outcome.result ?? .object([:]))
        case .retryableFailure:
            return .failed(message: message, kind: .retryableFailure, retryable: true, result: outcome.result)
        case .permanentFailure:
            return .failed(message: message, kind: .permanentFailure, retryable: false, result: outcome.result)
        case .invalidInput:
            return .failed(message: message, kind: .invalidInput, retryable: false, result: outcome.result)
        case .timedOut:
            return .failed(message: message, kind: .timedOut, retryable: false, result: outcome.result)
        case .crashed:
            // Retried like a transient failure, but counted: the queue dead-letters a job that
            // keeps crashing its executor (a poison pill) whatever attempts it has left.
            return .failed(message: message, kind: .crashed, retryable: true, result: outcome.result)
        case .cancelled where handedBack:
            // Stopped because this worker is shutting down: back to the queue, not cancelled.
            return .failed(
                message: "worker \(worker) shut down before the job finished", kind: .retryableFailure, retryable: true)
        case .cancelled:
            return .cancelled(message: message)
        }
    }

    /// What the executor receives: the parameters, and the whole job as the API shows it.
    static func request(for job: JobRecord) -> ExecutionRequest {
        var document: [String: JSONValue] = job.spec.objectValue ?? [:]
        document["id"] = .string(job.id)
        document["type"] = .string(job.type)
        document["priority"] = .integer(Int64(job.priority))
        if !job.projectID.isEmpty { document["project_id"] = .string(job.projectID) }
        let taskSpec = job.spec["task_spec"]
        return ExecutionRequest(
            jobID: job.id, projectID: job.projectID, parameters: taskSpec?["parameters"] ?? .object([:]),
            document: .object(document), attempt: UInt32(clamping: job.attempts),
            timeout: taskSpec?["timeout_seconds"]?.doubleValue.map { .milliseconds(Int64(($0 * 1000).rounded())) })
    }
}
