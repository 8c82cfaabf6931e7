import MimirCore
import MimirRedis

/// A worker slot's own way to the queue: the same operations as ``JobQueue``, on one blocking
/// connection, called from the one thread that runs the slot's jobs.
///
/// A job taken, run and reported through the async client crossed threads about ten times (the
/// caller's task, Redis' event loop, the job's thread and back, for each call); on a busy worker
/// those hand-offs were most of its CPU time per job. The slot's thread blocks in the socket
/// instead: a take or a finish is one write and one read on the thread that needs the answer.
///
/// Not `Sendable`: like the connection under it, it belongs to one thread. It connects on first
/// use and again after a failure; a connection problem is thrown as `.unavailable`, so the caller
/// backs off and tries again as it would with the async client.
public final class QueueSession {
    public let queue: JobQueue
    private var connection: RedisConnection?
    private let wakeKeys: [String]
    /// What a take sent along with the last finish found: the next job (leased to this worker) or
    /// nothing ready; `nil` when no take went along.
    private var lookedAhead: JobRecord??

    /// Whether a job taken along with the last finish waits to be run: it is leased to this
    /// worker, so the slot must run it (or the reaper hands it back when the lease runs out).
    public var hasJobAhead: Bool {
        if case .some(.some) = lookedAhead { return true }
        return false
    }

    /// `types`: the job types whose wake-up tokens ``waitForWork(upTo:)`` waits on.
    public init(queue: JobQueue, types: [String]) {
        self.queue = queue
        wakeKeys = types.sorted().map { "\(queue.namespace):wake:\($0)" }
    }

    /// Leases the most urgent ready job this worker can serve, as ``JobQueue/take(workerID:offer:)``.
    /// After a finish that took along (`thenTakeFor`), answers with what that take found, without
    /// a call.
    public func take(workerID: String, offer: WorkerOffer) throws(QueueError) -> JobRecord? {
        if let ahead = lookedAhead {
            lookedAhead = nil
            return ahead
        }
        guard let arguments = queue.takeArguments(workerID: workerID, offer: offer) else { return nil }
        return try JobQueue.takenJob(call(.take, arguments, jobID: "", caller: workerID))
    }

    /// Appends the attempt's last log lines and ends it, in one round trip: the lines first, as
    /// ``JobQueue/appendLogs(jobID:lines:workerID:)`` then ``JobQueue/finish(jobID:workerID:outcome:)``.
    ///
    /// With `thenTakeFor`, the same round trip also takes the slot's next job (as ``take(workerID:offer:)``
    /// would right after), which the next `take` then answers with: a busy slot's job costs one
    /// round trip instead of two. The take counts even when the finish is refused.
    public func finish(
        jobID: String, workerID: String, outcome: AttemptOutcome, lines: [LogLine],
        thenTakeFor offer: WorkerOffer? = nil
    ) throws(QueueError) -> JobStatus {
        var commands: [[String]] = []
        if !lines.isEmpty {
            commands.append(
                queue.command(.appendLogs, queue.appendLogsArguments(jobID: jobID, lines: lines, workerID: workerID)))
        }
        commands.append(
            queue.command(.finish, queue.finishArguments(jobID: jobID, workerID: workerID, outcome: outcome)))
        let take = offer.flatMap { queue.takeArguments(workerID: workerID, offer: $0) }
        if let take { commands.append(queue.command(.take, take)) }
        var replies = try pipeline(commands, jobID: jobID, caller: workerID)
        if take != nil, let taken = replies.popLast() {
            // A take that failed (an error reply) leaves nothing ahead: the next take asks again.
            if case .error = taken {
            } else {
                do {
                    lookedAhead = .some(try JobQueue.takenJob(taken))
                } catch {
                    // The finish's own answer still counts; the next take asks again.
                    queue.logger.error("unreadable answer to a take", metadata: ["error": "\(error)"])
                }
            }
        }
        for reply in replies {
            if case .error(let message) = reply {
                throw QueueError.from(
                    RedisError(
                        kind: .server, server: queue.redis.configuration.serverName, command: "FCALL", reason: message),
                    jobID: jobID, caller: workerID)
            }
        }
        guard let last = replies.last else { throw .corrupt("no reply to mimir_finish for job \(jobID)") }
        return try JobQueue.finishedStatus(last)
    }

    /// Waits until a job of the session's types may be ready (a wake-up token), or `timeout` passes.
    public func waitForWork(upTo timeout: Duration) throws(QueueError) -> Bool {
        guard !wakeKeys.isEmpty else { return false }
        let milliseconds = max(timeout.milliseconds, 1)
        let seconds = "\(milliseconds / 1000).\(String(1000 + milliseconds % 1000).dropFirst())"
        do {
            // The socket may wait as long as the server does, plus the usual allowance.
            let connection = try open(timeout: queue.redis.configuration.commandTimeout + timeout)
            return !(try connection.send(["BLPOP"] + wakeKeys + [seconds])).isNull
        } catch {
            throw QueueError.from(error, jobID: "")
        }
    }

    /// Calls a function of the library, loading the library once if Redis lost it.
    private func call(_ function: QueueFunctions.Name, _ arguments: [String], jobID: String, caller: String)
        throws(QueueError) -> RedisReply
    {
        let full = queue.command(function, arguments)
        do {
            do {
                return try open().send(full)
            } catch let error where error.serverMessage.map(QueueFunctions.isLibraryMissing) == true {
                try loadLibrary()
                return try open().send(full)
            }
        } catch {
            throw QueueError.from(error, jobID: jobID, caller: caller)
        }
    }

    private func pipeline(_ commands: [[String]], jobID: String, caller: String) throws(QueueError) -> [RedisReply] {
        do {
            let replies = try open().pipeline(commands)
            let lost = replies.contains { reply in
                if case .error(let message) = reply { return QueueFunctions.isLibraryMissing(message) }
                return false
            }
            guard lost else { return replies }
            // Nothing ran (every command is a function call): load the library and send them again.
            try loadLibrary()
            return try open().pipeline(commands)
        } catch {
            throw QueueError.from(error, jobID: jobID, caller: caller)
        }
    }

    private func loadLibrary() throws(RedisError) {
        queue.warnLibraryLost()
        _ = try open().send(QueueFunctions.loadCommand)
    }

    /// The open connection, or a new one when there is none or it broke, with `timeout` (the
    /// configured command timeout by default) as its socket timeout.
    private func open(timeout: Duration? = nil) throws(RedisError) -> RedisConnection {
        let timeout = timeout ?? queue.redis.configuration.commandTimeout
        let current: RedisConnection
        if let connection, !connection.isBroken {
            current = connection
        } else {
            current = try RedisConnection(configuration: queue.redis.configuration)
            connection = current
        }
        if current.commandTimeout != timeout { try current.setCommandTimeout(timeout) }
        return current
    }
}
