import MimirCore

/// What `submit` did.
public enum SubmitResult: Sendable {
    case created(JobRecord)
    /// The same Idempotency-Key and request were seen before: the original job.
    case existing(JobRecord)
}

/// What `submitBatch` did.
public enum BatchSubmitResult: Sendable {
    /// The jobs, in the order given.
    case created([JobRecord])
    /// The same Idempotency-Key and batch were seen before: the jobs it created, in its order.
    case existing([JobRecord])
}

/// How an attempt ended, as a worker reports it.
public enum AttemptOutcome: Sendable, Hashable {
    case succeeded(result: JSONValue?)
    /// `retryable` failures go back to the queue with backoff until attempts run out (then dead);
    /// others end as failed.
    case failed(message: String, kind: JobErrorKind, retryable: Bool, result: JSONValue? = nil)
    case cancelled(message: String)
}

public enum CancelResult: Sendable {
    /// The job was queued and is now cancelled.
    case cancelled(JobRecord)
    /// The job is running; its worker learns of the request on its next heartbeat.
    case requested(JobRecord)
}

/// A page of jobs, newest first.
public struct JobPage: Sendable {
    public var jobs: [JobRecord]
    /// Pass back to get the next page; `nil` on the last page.
    public var nextCursor: String?
}

public struct QueueStats: Sendable, Hashable {
    public struct TypeDepth: Sendable, Hashable {
        public var type: String
        /// Jobs ready to run (not counting ones waiting out a retry backoff).
        public var ready: Int
        /// Ready jobs by priority (0–9).
        public var byPriority: [Int: Int]
    }

    public var depths: [TypeDepth]
    public var counts: [JobStatus: Int]
    /// Queued jobs waiting out a retry backoff.
    public var delayed: Int
    public var inFlight: Int
}

public struct ReapReport: Sendable, Hashable {
    public var requeued: Int
    public var dead: Int
    public var cancelled: Int
    public var promoted: Int

    public init(requeued: Int, dead: Int, cancelled: Int, promoted: Int) {
        self.requeued = requeued
        self.dead = dead
        self.cancelled = cancelled
        self.promoted = promoted
    }
}

public struct LogLine: Sendable, Hashable {
    /// Milliseconds since the epoch.
    public var time: Int64
    public var level: String
    public var message: String

    public init(time: Int64, level: String, message: String) {
        self.time = time
        self.level = level
        self.message = message
    }

    var stored: String {
        JSONValue.object(["t": .integer(time), "level": .string(level), "message": .string(message)]).jsonText()
    }

    init?(stored text: String) {
        guard let value = try? JSONValue.parse(text), let time = value["t"]?.int64Value,
            let level = value["level"]?.stringValue, let message = value["message"]?.stringValue
        else { return nil }
        self.init(time: time, level: level, message: message)
    }
}

/// Who submitted a job, for the audit stream entry `mimir_submit` writes with a created job.
public struct SubmitAudit: Sendable, Hashable {
    public var caller: String
    public var role: String
    /// The stream keeps about this many newest entries.
    public var capacity: Int

    public init(caller: String, role: String, capacity: Int) {
        self.caller = caller
        self.role = role
        self.capacity = capacity
    }
}
