import Logging
import MimirCore
import MimirPluginHost
import MimirQueue

/// One leased job, run to its end: the executor on a thread of its own, the lease renewed with
/// progress and logs while it runs, cancellation passed in, and the outcome reported — retried
/// until Redis takes it, so a result is never dropped during a short outage.
struct JobAttempt {
    let job: JobRecord
    let executor: LoadedExecutor
    /// In this process or in an executor process.
    let isolation: ExecutorIsolation
    let queue: JobQueue
    let configuration: WorkerConfiguration
    let logger: Logger
    /// Set when the worker is shutting down: the job is stopped and handed back.
    let stopping: CancellationToken
    /// The worker's report clock (`reportInterval`), shared by its running jobs.
    let reports: SharedTicker

    func run() async {
        let reporter = AttemptReporter()
        let cancellation = CancellationToken()
        let request = Self.request(for: job)
        let outcome = await withTaskGroup(of: ExecutionOutcome?.self) { group in
            group.addTask { await Self.execute(executor, isolation, request, reporter, cancellation) }
            group.addTask {
                await renewWhileRunning(reporter, cancellation)
                return nil
            }
            var result: ExecutionOutcome?
            for await finished in group where finished != nil {
                result = finished
                group.cancelAll()
            }
            return result ?? ExecutionOutcome(status: .permanentFailure, message: "the executor produced no outcome")
        }
        await report(outcome, reporter)
    }

    /// The stack of a job's thread, here and in executor processes: plugins (ML training, deep
    /// recursion in parsers) may need more than a secondary thread's default.
    static let jobThreadStackSize = 8 << 20

    /// Job threads, reused from one job to the next.
    static let jobThreads = ParkedThreads(stackSize: jobThreadStackSize)

    /// Runs the executor — or, isolated, supervises the process that runs it — on a dedicated
    /// thread: it blocks for as long as the job takes, which must never be a thread of Swift
    /// concurrency's small pool.
    private static func execute(
        _ executor: LoadedExecutor, _ isolation: ExecutorIsolation, _ request: ExecutionRequest,
        _ reporter: AttemptReporter, _ cancellation: CancellationToken
    ) async -> ExecutionOutcome {
        await withCheckedContinuation { continuation in
            let started = Self.jobThreads.run {
                let outcome =
                    switch isolation {
                    case .none: executor.run(request, observer: reporter, cancellation: cancellation)
                    case .processes(let pool):
                        pool.run(executor, request, observer: reporter, cancellation: cancellation)
                    }
                continuation.resume(returning: outcome)
            }
            if !started {
                continuation.resume(
                    returning: ExecutionOutcome(
                        status: .retryableFailure,
                        message: "the worker could not start a thread for the job (out of memory or threads)"))
            }
        }
    }

    /// Every report interval: progress and logs to the queue (which renews the lease); a cancel
    /// request, a lost lease or the worker stopping cancels the executor.
    private func renewWhileRunning(_ reporter: AttemptReporter, _ cancellation: CancellationToken) async {
        while !Task.isCancelled {
            guard await reports.next(), !Task.isCancelled else { return }
            if stopping.isCancelled { cancellation.cancel() }
            let pending = reporter.drain()
            do {
                try await queue.appendLogs(jobID: job.id, lines: pending.lines, workerID: configuration.workerID)
                let cancelRequested = try await queue.heartbeat(
                    jobID: job.id, workerID: configuration.workerID, progress: pending.progress,
                    message: pending.message)
                if cancelRequested { cancellation.cancel() }
            } catch .unavailable(let error) {
                logger.warning(
                    "cannot renew the lease; Redis unreachable", metadata: ["job": "\(job.id)", "error": "\(error)"])
            } catch {
                // The lease is gone (expired and taken elsewhere, or the job ended): stop working on it.
                logger.error("lost the job's lease; stopping it", metadata: ["job": "\(job.id)", "error": "\(error)"])
                cancellation.cancel()
            }
        }
    }

    private func report(_ outcome: ExecutionOutcome, _ reporter: AttemptReporter) async {
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
                try await queue.appendLogs(jobID: job.id, lines: lines, workerID: configuration.workerID)
                lines = []
                let status = try await queue.finish(
                    jobID: job.id, workerID: configuration.workerID, outcome: attemptOutcome)
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
                try? await Task.sleep(for: delay)
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
