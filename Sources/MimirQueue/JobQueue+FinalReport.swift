import MimirRedis

extension JobQueue {
    /// Appends an attempt's last log lines and ends it in one round trip: the lines first, as
    /// ``appendLogs(jobID:lines:workerID:)`` then ``finish(jobID:workerID:outcome:)`` would, written
    /// together so that Redis reads and runs both, and a report whose answer is lost (a dropped
    /// connection) has not appended its lines without its end. Refused as a whole when the lines
    /// are: both calls check that the job runs under `workerID`.
    public func finish(
        jobID: String, workerID: String, outcome: AttemptOutcome, lines: [LogLine]
    ) async throws(QueueError) -> JobStatus {
        guard !lines.isEmpty else { return try await finish(jobID: jobID, workerID: workerID, outcome: outcome) }
        let commands = [
            command(.appendLogs, appendLogsArguments(jobID: jobID, lines: lines, workerID: workerID)),
            command(.finish, finishArguments(jobID: jobID, workerID: workerID, outcome: outcome)),
        ]
        var replies = try await pipeline(commands, jobID: jobID, caller: workerID)
        if replies.contains(where: Self.isLibraryMissing) {
            // Neither call ran: Redis lost the library (a restart without persistence).
            warnLibraryLost()
            try await prepare()
            replies = try await pipeline(commands, jobID: jobID, caller: workerID)
        }
        guard replies.count == 2 else { throw .corrupt("\(replies.count) replies to a final report's 2 calls") }
        for reply in replies {
            if case .error(let message) = reply { throw refusal(message, jobID: jobID, caller: workerID) }
        }
        return try Self.finishedStatus(replies[1])
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
