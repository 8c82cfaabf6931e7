import MimirRedis

/// Why a queue operation was refused, naming the job and the states involved.
public enum QueueError: Error, Sendable, CustomStringConvertible {
    case notFound(jobID: String)
    /// The job's status does not allow the requested move.
    case illegalTransition(jobID: String, from: String, to: String)
    /// A worker reported on a job whose lease another worker holds (or nobody does).
    case notOwner(jobID: String, owner: String, caller: String)
    /// The idempotency key was used before with a different request.
    case idempotencyConflict(key: String, existingJobID: String)
    /// The type's queue holds its most waiting jobs (`MAX_QUEUED_PER_TYPE`): back-pressure.
    /// `adding`: how many jobs of the type a refused batch held (0 for a single submission).
    case queueFull(jobType: String, waiting: Int, limit: Int, adding: Int = 0)
    /// A batch held more jobs than ``JobQueue/maximumBatchSize``: refused before Redis.
    case batchTooLarge(count: Int, limit: Int)
    /// Redis is unreachable or failed: the caller should answer 503.
    case unavailable(RedisError)
    /// Redis answered something the queue cannot make sense of.
    case corrupt(String)

    /// Whether a worker's call about a job was refused because the job is no longer its running
    /// job: it ended, another worker holds it, or it is gone.
    public var isLeaseGone: Bool {
        switch self {
        case .notFound, .illegalTransition, .notOwner: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .notFound(let id):
            "job \(id) not found (it never existed or expired after its retention)"
        case .illegalTransition(let id, let from, let to):
            from == to ? "job \(id) is already \(from)" : "job \(id) cannot move from \(from) to \(to)"
        case .notOwner(let id, let owner, let caller):
            "job \(id) is leased by worker \(owner.isEmpty ? "(none)" : owner), not \(caller)"
        case .idempotencyConflict(let key, let existing):
            "Idempotency-Key \"\(key)\" was already used for a different request (job \(existing))"
        case .queueFull(let type, let waiting, let limit, let adding) where adding > 0:
            "the \(type) queue cannot take the batch's \(adding) \(type) jobs: \(waiting) wait, the limit is "
                + "\(limit); retry later or send fewer"
        case .queueFull(let type, let waiting, let limit, _):
            "the \(type) queue is full: \(waiting) jobs wait, the limit is \(limit); retry later"
        case .batchTooLarge(let count, let limit):
            "a batch of \(count) jobs is over the limit of \(limit); send at most \(limit) at a time"
        case .unavailable(let error):
            "the queue's Redis is unavailable: \(error)"
        case .corrupt(let detail):
            "unexpected answer from Redis: \(detail)"
        }
    }

    /// Maps an error reply of the `mimir` functions to its meaning; "not now" replies (Redis
    /// loading, out of memory, ...) are answered like an outage.
    static func from(_ error: RedisError, jobID: String, caller: String = "", jobType: String = "") -> QueueError {
        guard let reply = error.serverMessage, !error.isPassingRefusal else { return .unavailable(error) }
        let words = reply.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch words.first {
        case "NOTFOUND": return .notFound(jobID: jobID)
        case "ILLEGAL" where words.count >= 3: return .illegalTransition(jobID: jobID, from: words[1], to: words[2])
        case "FULL" where words.count >= 5:
            // A batch's refusal names the type whose share did not fit and that share.
            return .queueFull(
                jobType: words[3], waiting: Int(words[1]) ?? 0, limit: Int(words[2]) ?? 0, adding: Int(words[4]) ?? 0)
        case "FULL" where words.count >= 3:
            return .queueFull(jobType: jobType, waiting: Int(words[1]) ?? 0, limit: Int(words[2]) ?? 0)
        case "NOTOWNER": return .notOwner(jobID: jobID, owner: words.count > 1 ? words[1] : "", caller: caller)
        default: return .corrupt("\(error)")
        }
    }
}

extension RedisError {
    /// The server's error text, for error replies only.
    var serverMessage: String? { kind == .server ? reason : nil }
}
