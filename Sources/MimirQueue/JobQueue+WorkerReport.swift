import MimirRedis

/// A worker's report over REST (`POST /api/jobs/{id}`) in one round trip: its log lines, then its
/// progress or its end, then the job as they leave it, written together so that Redis reads and
/// runs them in order. A report whose answer is lost (a dropped connection) has not appended its
/// lines without the rest, and the answer costs no second round trip to read the job back.
extension JobQueue {
    /// A running attempt's report: appends `lines`, renews the lease and records the progress, as
    /// ``appendLogs(jobID:lines:workerID:)`` then ``heartbeat(jobID:workerID:progress:message:)``
    /// would; refused as a whole unless `workerID` holds the running job. Returns the job after it
    /// (its `cancelRequested` tells the worker to stop).
    public func report(
        jobID: String, workerID: String, progress: Double?, message: String?, lines: [LogLine]
    ) async throws(QueueError) -> JobRecord {
        let replies = try await reportCalls(
            [
                command(
                    .heartbeat,
                    heartbeatArguments(jobID: jobID, workerID: workerID, progress: progress, message: message))
            ],
            lines: lines, jobID: jobID, workerID: workerID)
        return try job(jobID, from: replies.job)
    }

    /// An attempt's final report: appends `lines` and ends the attempt, as
    /// ``appendLogs(jobID:lines:workerID:)`` then ``finish(jobID:workerID:outcome:)`` would;
    /// refused as a whole unless `workerID` holds the running job. Returns the job's new status
    /// and the job as the end leaves it.
    public func finish(
        jobID: String, workerID: String, outcome: AttemptOutcome, lines: [LogLine]
    ) async throws(QueueError) -> (status: JobStatus, job: JobRecord) {
        let replies = try await reportCalls(
            [command(.finish, finishArguments(jobID: jobID, workerID: workerID, outcome: outcome))],
            lines: lines, jobID: jobID, workerID: workerID)
        return (try Self.finishedStatus(replies.call), try job(jobID, from: replies.job))
    }

    /// Sends the log lines' call (when there are lines), `call` and the job's read in one pipeline;
    /// throws the first function's refusal. The library is loaded again, and everything sent once
    /// more, when Redis lost it: then none of the calls ran.
    private func reportCalls(
        _ call: [[String]], lines: [LogLine], jobID: String, workerID: String
    ) async throws(QueueError) -> (call: RedisReply, job: RedisReply) {
        let appending =
            lines.isEmpty
            ? [] : [command(.appendLogs, appendLogsArguments(jobID: jobID, lines: lines, workerID: workerID))]
        let commands = appending + call + [jobReadCommand(jobID)]
        var replies = try await pipeline(commands, jobID: jobID, caller: workerID)
        if replies.contains(where: Self.isLibraryMissing) {
            warnLibraryLost()
            try await prepare()
            replies = try await pipeline(commands, jobID: jobID, caller: workerID)
        }
        guard replies.count == commands.count else {
            throw .corrupt("\(replies.count) replies to a worker report's \(commands.count) commands")
        }
        for reply in replies.dropLast() {
            if case .error(let message) = reply { throw refusal(message, jobID: jobID, caller: workerID) }
        }
        return (replies[replies.count - 2], replies[replies.count - 1])
    }

    /// An error reply to one of the library's functions, as the queue's error.
    func refusal(_ message: String, jobID: String, caller: String) -> QueueError {
        QueueError.from(
            RedisError(kind: .server, server: redis.configuration.serverName, command: "FCALL", reason: message),
            jobID: jobID, caller: caller)
    }

    private func pipeline(_ commands: [[String]], jobID: String, caller: String) async throws(QueueError)
        -> [RedisReply]
    {
        do {
            return try await redis.pipeline(commands)
        } catch {
            throw QueueError.from(error, jobID: jobID, caller: caller)
        }
    }

    private static func isLibraryMissing(_ reply: RedisReply) -> Bool {
        if case .error(let message) = reply { return QueueFunctions.isLibraryMissing(message) }
        return false
    }
}
