import MimirCore

/// What an attempt's end says, kept with a slot's pending end so that the job can show whether
/// that end went in when the report carrying it got no answer: Redis stalled past the socket's
/// timeout, or the connection broke after Redis had read the report. Redis runs what it read all
/// the same, so the end sent again is refused (the job has moved on), and only the job's fields
/// tell whether this end is what moved it.
struct EndClaim: Sendable {
    let workerID: String
    /// The attempt ended: the job's `attempts` as taken; nil when the caller does not know it (a
    /// report over the REST API), and then any attempt of this worker's matches.
    let attempt: Int?
    /// The job's `started_at` as taken: a retried job counts its attempts from 1 again, so only
    /// the start tells two takes with the same number apart.
    let startedAt: Int64?
    /// The outcome `mimir_finish` was sent: succeeded, failed or cancelled.
    let outcome: String
    /// The error message sent with a failure or a cancellation; empty for a success.
    let message: String

    init(workerID: String, attempt: Int?, startedAt: Int64? = nil, outcome: AttemptOutcome) {
        self.workerID = workerID
        self.attempt = attempt
        self.startedAt = startedAt
        switch outcome {
        case .succeeded:
            (self.outcome, message) = ("succeeded", "")
        case .failed(let message, _, _, _):
            (self.outcome, self.message) = ("failed", message)
        case .cancelled(let message):
            (self.outcome, self.message) = ("cancelled", message)
        }
    }

    /// The job's fields a claim is judged by.
    struct JobState: Sendable, Equatable {
        var status: JobStatus?
        var workerID: String?
        var attempts: Int?
        var error: String?
        var errorKind: String?
        var startedAt: Int64?

        /// The hash fields to read, in the order ``init(fields:)`` takes their values.
        static let fieldNames = ["status", "worker_id", "attempts", "error", "error_kind", "started_at"]

        init(
            status: JobStatus? = nil, workerID: String? = nil, attempts: Int? = nil, error: String? = nil,
            errorKind: String? = nil, startedAt: Int64? = nil
        ) {
            (self.status, self.workerID, self.attempts) = (status, workerID, attempts)
            (self.error, self.errorKind, self.startedAt) = (error, errorKind, startedAt)
        }

        /// From the values of ``fieldNames``; nil unless there is one per field.
        init?(fields values: [String?]) {
            guard values.count == Self.fieldNames.count else { return nil }
            self.init(
                status: values[0].flatMap(JobStatus.init(rawValue:)), workerID: values[1],
                attempts: values[2].flatMap { Int($0) }, error: values[3], errorKind: values[4],
                startedAt: values[5].flatMap { Int64($0) })
        }

        init(_ record: JobRecord) {
            self.init(
                status: record.status, workerID: record.workerID, attempts: record.attempts, error: record.error,
                errorKind: record.errorKind, startedAt: record.startedAt)
        }
    }

    /// The job's attempt when it runs under this worker again, taken since the attempt this end
    /// is for (another number, or the same number started at another time: a retry counts from 1
    /// again); nil otherwise, or when the claim does not know its take.
    func laterTakeHere(_ job: JobState) -> (attempt: Int, startedAt: Int64?)? {
        guard let attempt, let startedAt, job.status == .running, job.workerID == workerID,
            let current = job.attempts, current != attempt || job.startedAt != startedAt
        else { return nil }
        return (current, job.startedAt)
    }

    /// "w-1 (attempt 2, started 2026-12-01T21:50:00.000Z)": which take of the job.
    static func take(by workerID: String, attempt: Int, startedAt: Int64?) -> String {
        "\(workerID) (attempt \(attempt), started \(startedAt.map { UTCTimestamp.format(milliseconds: $0) } ?? "?"))"
    }

    /// The job's status when it shows that this end went in, else nil. Only this end leaves the
    /// job ended with this worker and take and this outcome: a later take changes the attempt or
    /// its start (or the worker), and the reaper's end is of kind `lease_expired`, which no
    /// worker may report (its message may contain the worker's own: "lease expired" does). A
    /// failure may have ended the job as failed, dead (poison pill), queued (retried) or
    /// cancelled (requested meanwhile); each keeps the message in its error.
    func wentIn(_ job: JobState) -> JobStatus? {
        guard let status = job.status, job.workerID == workerID, attempt == nil || job.attempts == attempt,
            startedAt == nil || job.startedAt == startedAt, job.errorKind != "lease_expired"
        else { return nil }
        let error = job.error ?? ""
        switch outcome {
        case "succeeded":
            return status == .succeeded ? status : nil
        case "failed":
            let ends: Set<JobStatus> = [.failed, .dead, .queued, .cancelled]
            return ends.contains(status) && !message.isEmpty && error.contains(message) ? status : nil
        case "cancelled":
            return status == .cancelled && !message.isEmpty && error.contains(message) ? status : nil
        default:
            return nil
        }
    }
}
