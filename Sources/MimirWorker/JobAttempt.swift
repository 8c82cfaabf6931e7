import Logging
import MimirCore
import MimirPluginHost
import MimirQueue

#if canImport(Glibc)
    import Glibc
#endif

/// One leased job, run to its end on its slot's thread: the executor called here (in this
/// process or through an executor process), the lease renewed by the worker's `LeaseRenewer`
/// while it runs, and the outcome reported — retried until Redis takes it, so a result is never
/// dropped during a short outage.
struct JobAttempt {
    let job: JobRecord
    let executor: LoadedExecutor
    /// In this process or in an executor process.
    let isolation: ExecutorIsolation
    /// The slot's own connection to the queue.
    let session: QueueSession
    let configuration: WorkerConfiguration
    let logger: Logger
    /// Set when the worker stops taking jobs: the report then takes no next job along.
    let draining: CancellationToken
    /// Set when the worker is shutting down: the job is stopped and handed back.
    let stopping: CancellationToken
    let renewer: LeaseRenewer
    /// What the slot offers, for the next job its report takes along (`QueueSession`).
    let offer: WorkerOffer

    /// Blocks for as long as the job takes: call it on a thread of its own, never one of Swift
    /// concurrency's small pool.
    func run() {
        let reporter = AttemptReporter()
        let cancellation = CancellationToken()
        let attempt = LeaseRenewer.Attempt(jobID: job.id, reporter: reporter, cancellation: cancellation)
        renewer.register(attempt)
        let request = Self.request(for: job)
        let outcome =
            switch isolation {
            case .none: executor.run(request, observer: reporter, cancellation: cancellation)
            case .processes(let pool): pool.run(executor, request, observer: reporter, cancellation: cancellation)
            }
        renewer.end(attempt)
        report(outcome, reporter)
    }

    /// The stack of a job's thread, here and in executor processes: plugins (ML training, deep
    /// recursion in parsers) may need more than a secondary thread's default.
    static let jobThreadStackSize = 8 << 20

    private func report(_ outcome: ExecutionOutcome, _ reporter: AttemptReporter) {
        let attemptOutcome = Self.attemptOutcome(
            outcome, handedBack: stopping.isCancelled, worker: configuration.workerID)
        var delay = Duration.milliseconds(100)
        var lines = reporter.drain().lines
        if outcome.droppedLogLines > 0 {
            lines.append(
                LogLine(
                    time: SystemQueueClock().nowMilliseconds(), level: "warning",
                    message: "\(outcome.droppedLogLines) log lines dropped: the per-job log limit was reached"))
        }
        while true {
            do {
                let status = try session.finish(
                    jobID: job.id, workerID: configuration.workerID, outcome: attemptOutcome, lines: lines,
                    thenTakeFor: draining.isCancelled ? nil : offer)
                logger.info(
                    "job finished",
                    metadata: [
                        "job": "\(job.id)", "type": "\(job.type)", "outcome": "\(outcome.status.rawValue)",
                        "status": "\(status.rawValue)",
                    ])
                return
            } catch .unavailable(let error) {
                logger.warning(
                    "cannot report the outcome yet; retrying", metadata: ["job": "\(job.id)", "error": "\(error)"])
                usleep(UInt32(delay.milliseconds * 1000))
                delay = min(delay * 2, .seconds(5))
            } catch {
                logger.error(
                    "outcome not accepted: the lease is gone", metadata: ["job": "\(job.id)", "error": "\(error)"])
                return
            }
        }
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
