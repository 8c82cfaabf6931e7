/// A job's status, and the only transitions between statuses that exist. This table is the one
/// place they are written down: the Redis functions that move jobs are generated from it
/// (`QueueFunctions`), and docs/queue.md describes it.
///
///     queued ──take──▶ running ──▶ succeeded
///       │  ▲             │ │ │
///       │  │ retryable   │ │ └──▶ failed ──retry──▶ queued
///       │  └─────────────┘ └────▶ dead   ──retry──▶ queued   (attempts used up)
///       └──cancel──▶ cancelled ◀──cancel (worker confirms)── running
public enum JobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for a worker; after a retryable failure, waiting out its backoff (`run_after`).
    case queued
    /// Leased by a worker, which renews the lease while it works.
    case running
    case succeeded
    /// Failed in a way another attempt would not fix (invalid input, permanent error, timeout).
    case failed
    case cancelled
    /// Failed retryably on its last attempt, or its worker vanished on the last attempt: the
    /// dead letter. Retry puts it back in the queue with fresh attempts.
    case dead

    /// No worker will touch a job in a final status again; it expires after the retention.
    public var isFinal: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled, .dead: true
        }
    }

    /// Every legal move. Anything else is refused with both statuses named.
    public static let transitions: [JobStatus: Set<JobStatus>] = [
        .queued: [.running, .cancelled],
        .running: [.succeeded, .failed, .cancelled, .dead, .queued],
        .failed: [.queued],
        .dead: [.queued],
        .succeeded: [],
        .cancelled: [],
    ]

    public func canMove(to next: JobStatus) -> Bool {
        Self.transitions[self]?.contains(next) ?? false
    }
}

/// Why an attempt ended the way it did, stored with the job as `error_kind`.
public enum JobErrorKind: String, Sendable, Hashable, Codable {
    case retryableFailure = "retryable_failure"
    case permanentFailure = "permanent_failure"
    case invalidInput = "invalid_input"
    case timedOut = "timed_out"
    case leaseExpired = "lease_expired"
    case cancelled
    /// The executor's process died mid-job (a signal or an unexpected exit). Retried like a
    /// retryable failure, and counted: after `QueueConfiguration.maxCrashes` the job is a poison
    /// pill and goes to the dead letter whatever attempts it has left.
    case crashed
}
