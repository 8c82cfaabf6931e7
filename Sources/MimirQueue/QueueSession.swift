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
    /// What the takes sent along with the last report found, in the order to run them: jobs
    /// leased to this worker, or none when nothing was ready; `nil` when no take went along.
    private var lookedAhead: [JobRecord]?
    /// Redis' clock as measured on `connection` (`redis` µs at `measured`, to within
    /// `uncertainty` µs), and when a measurement was last tried (see ``redisNow(on:)``).
    private var redisClock: RedisClockReading?

    private struct RedisClockReading {
        let connection: RedisConnection
        let redis: Int64
        let uncertainty: Int64
        let measured: ContinuousClock.Instant
        var tried: ContinuousClock.Instant
    }
    /// Ends of attempts not sent yet (see ``finishLater(jobID:workerID:outcome:lines:)``).
    private var pendingFinishes: [PendingFinish] = []

    private struct PendingFinish {
        let jobID: String
        let workerID: String
        /// The attempt's last log lines not appended yet (none once they are).
        var lines: [LogLine]
        /// Its end, as `mimir_finish_many` takes it.
        let finish: [String]
        /// What the end says, when the attempt is known: to tell, after a report got no answer,
        /// whether the end went in (see ``EndClaim``).
        let claim: EndClaim?
        /// Sent in a report that got no answer: Redis may have run it all the same.
        var sentUnanswered = false
    }

    /// How the queue answered one finish of a ``report(workerID:takes:offer:ahead:)``.
    public struct FinishAnswer: Sendable {
        public let jobID: String
        /// The end's own answer: the job's new status, or why the end was refused.
        public let status: Result<JobStatus, QueueError>
        /// Why the attempt's last log lines were not appended, when they were refused.
        public var logsRefused: QueueError? = nil
        /// The end had gone in with an earlier report that got no answer; sent again, it was
        /// refused as the job had moved on, and `status` is the job's status it left.
        public var wentInBefore = false
    }

    /// Whether jobs taken along with the last report wait to be run: they are leased to this
    /// worker, so the slot must run them (or the reaper hands them back when their leases run out).
    public var hasJobAhead: Bool { lookedAhead?.isEmpty == false }

    /// The jobs waiting to be run, in order.
    public var jobsAhead: [JobRecord] { lookedAhead ?? [] }

    /// Whether attempts ended with ``finishLater(jobID:workerID:outcome:lines:)`` wait for a report.
    public var hasPendingFinishes: Bool { !pendingFinishes.isEmpty }

    /// The jobs whose ends wait for a report.
    public var pendingJobIDs: [String] { pendingFinishes.map(\.jobID) }

    /// Forgets the pending finishes (after an answer that cannot be read, which no retry
    /// mends); returns their job ids. Their leases run out and the reaper hands them back.
    public func discardPendingFinishes() -> [String] {
        defer { pendingFinishes = [] }
        return pendingJobIDs
    }

    /// `types`: the job types whose wake-up tokens ``waitForWork(upTo:)`` waits on.
    public init(queue: JobQueue, types: [String]) {
        self.queue = queue
        wakeKeys = types.sorted().map { "\(queue.namespace):wake:\($0)" }
    }

    /// Leases the most urgent ready job this worker can serve, as ``JobQueue/take(workerID:offer:)``.
    /// After a report that took along, answers with what those takes found, without a call.
    public func take(workerID: String, offer: WorkerOffer) throws(QueueError) -> JobRecord? {
        if var ahead = lookedAhead {
            let next = ahead.isEmpty ? nil : ahead.removeFirst()
            // Once the jobs taken along are used up, the next take asks the queue again.
            lookedAhead = ahead.isEmpty ? nil : ahead
            return next
        }
        guard let arguments = queue.takeArguments(workerID: workerID, offer: offer) else { return nil }
        let sent = try sendingStamp(caller: workerID)
        return try JobQueue.takenJob(call(.takePatient, sent + arguments, jobID: "", caller: workerID))
    }

    /// Ends an attempt with its last log lines, as ``finish(jobID:workerID:outcome:lines:thenTakeFor:)``
    /// does, but only at the next ``report(workerID:takes:offer:ahead:)``: a slot running short jobs back to
    /// back reports several in one round trip. `attempt` (the job's `attempts` as taken) lets a
    /// report tell an end that went in with an earlier report that got no answer from one refused.
    public func finishLater(
        jobID: String, workerID: String, outcome: AttemptOutcome, lines: [LogLine], attempt: Int? = nil,
        startedAt: Int64? = nil
    ) {
        pendingFinishes.append(
            PendingFinish(
                jobID: jobID, workerID: workerID, lines: lines,
                finish: queue.finishArguments(jobID: jobID, workerID: workerID, outcome: outcome),
                claim: attempt.map {
                    EndClaim(workerID: workerID, attempt: $0, startedAt: startedAt, outcome: outcome)
                }))
    }

    /// Lines of a pending end's attempt that reached the slot after the end was made (a renewal
    /// that could not deliver them put them back): they go with the end, ahead of its own lines
    /// (after them if those are already appended).
    public func addEarlierLines(_ lines: [LogLine], toEndOf jobID: String) {
        guard let index = pendingFinishes.lastIndex(where: { $0.jobID == jobID }) else { return }
        pendingFinishes[index].lines = lines + pendingFinishes[index].lines
    }

    /// The `mimir_log` call appending a pending end's lines; nil when there are none.
    private func logsCommand(_ finish: PendingFinish) -> [String]? {
        finish.lines.isEmpty
            ? nil
            : queue.command(
                .appendLogs,
                queue.appendLogsArguments(jobID: finish.jobID, lines: finish.lines, workerID: finish.workerID))
    }

    /// Sends the pending finishes (the attempts' log lines, then their ends in one
    /// `mimir_finish_many`) and, in the same round trip, takes along: one job for `takes.first`,
    /// then up to `takes.count - 1` more for `ahead` (the job types a slot may take ahead; `nil`
    /// for the first offer), which the next `take`s answer with. The takes count even when a
    /// finish is refused.
    ///
    /// Throws `.unavailable` when the round trip failed, or when Redis refused the whole
    /// `mimir_finish_many` for a passing state before running it (out of memory, loading its
    /// data after a restart, busy with a long script, a read-only replica): then the finishes
    /// stay pending, for the next report to send again, without the log lines already appended.
    /// A finish the queue refused is in its answer.
    public func report(workerID: String, takes: Int = 0, offer: WorkerOffer? = nil, ahead: WorkerOffer? = nil)
        throws(QueueError) -> [FinishAnswer]
    {
        let settled = try settleEndsOfLaterTakes(workerID: workerID)
        var commands = pendingFinishes.compactMap(logsCommand)
        if !pendingFinishes.isEmpty { commands.append(queue.command(.finishMany, pendingFinishes.flatMap(\.finish))) }
        var takeCommands = 0
        if takes > 0, let offer, let first = queue.takeArguments(workerID: workerID, offer: offer) {
            let sent = try sendingStamp(caller: workerID)
            commands.append(queue.command(.takePatient, sent + first))
            takeCommands = 1
            if takes > 1,
                let more = queue.takeManyArguments(workerID: workerID, offer: ahead ?? offer, count: takes - 1)
            {
                commands.append(queue.command(.takeManyPatient, sent + more))
                takeCommands = 2
            }
        }
        guard !commands.isEmpty else { return settled }
        var replies: [RedisReply]
        do {
            replies = try pipeline(commands, jobID: pendingFinishes.first?.jobID ?? "", caller: workerID)
        } catch {
            for index in pendingFinishes.indices { pendingFinishes[index].sentUnanswered = true }
            throw error
        }
        keepTaken(replies.suffix(takeCommands))
        replies.removeLast(takeCommands)
        guard let ends = replies.popLast() else { return [] }
        if case .error(let message) = ends,
            case .unavailable(let error) = queue.refusal(
                message, jobID: pendingFinishes.first?.jobID ?? "", caller: workerID)
        {
            // Nothing ended: answering each attempt with the refusal dropped its end, the job
            // ran again once its lease ran out, and its result was lost.
            keepPendingAfterRefusal(logReplies: replies[...])
            throw .unavailable(error)
        }
        // One entry per attempt; an error for the whole call is each attempt's answer.
        let entries = ends.array ?? Array(repeating: ends, count: pendingFinishes.count)
        var answers: [FinishAnswer] = []
        var logReplies = replies[...]
        for (index, finish) in pendingFinishes.enumerated() {
            var logsRefused: QueueError?
            if !finish.lines.isEmpty, case .error(let message)? = logReplies.popFirst() {
                logsRefused = queue.refusal(message, jobID: finish.jobID, caller: workerID)
            }
            // The end's status is its own reply's: lines refused while the end went in did not
            // make the end refused (the job ended; calling it refused hid that).
            var status: Result<JobStatus, QueueError> =
                index < entries.count
                ? answer(entries[index], jobID: finish.jobID, caller: workerID)
                : .failure(.corrupt("mimir_finish_many answered \(ends) for job \(finish.jobID)"))
            var wentInBefore = false
            if case .failure(let refusal) = status, refusal.isLeaseGone, finish.sentUnanswered,
                let claim = finish.claim,
                let left = statusLeft(by: claim, jobID: finish.jobID)
            {
                // The lines went in with it, ahead of it in that report: theirs was the same refusal.
                (status, wentInBefore, logsRefused) = (.success(left), true, nil)
            }
            answers.append(
                FinishAnswer(jobID: finish.jobID, status: status, logsRefused: logsRefused, wentInBefore: wentInBefore))
        }
        pendingFinishes = []
        return settled + answers
    }

    /// An end sent in a report that got no answer may have gone in, and the job since been taken
    /// again by this worker (by another of its slots): sent again, the end would be accepted, as
    /// the job runs under this worker, and would end the new attempt with the old one's outcome.
    /// So each such end is checked against the job's fields first; one whose job runs here on a
    /// later attempt is answered as refused and not sent.
    private func settleEndsOfLaterTakes(workerID: String) throws(QueueError) -> [FinishAnswer] {
        var answers: [FinishAnswer] = []
        var kept: [PendingFinish] = []
        for finish in pendingFinishes {
            guard finish.sentUnanswered, let claim = finish.claim, let attempt = claim.attempt else {
                kept.append(finish)
                continue
            }
            let job: EndClaim.JobState?
            do {
                job = try jobState(finish.jobID)
            } catch {
                throw QueueError.from(error, jobID: finish.jobID, caller: workerID)
            }
            guard let later = job.flatMap(claim.laterTakeHere) else {
                kept.append(finish)
                continue
            }
            answers.append(
                FinishAnswer(
                    jobID: finish.jobID,
                    status: .failure(
                        .notOwner(
                            jobID: finish.jobID,
                            owner: EndClaim.take(by: workerID, attempt: later.attempt, startedAt: later.startedAt),
                            caller: EndClaim.take(by: workerID, attempt: attempt, startedAt: claim.startedAt)))))
        }
        pendingFinishes = kept
        return answers
    }

    /// Keeps what the takes of a report found (`mimir_take`'s answer, then `mimir_take_many`'s)
    /// for the next `take`s. A take that failed or answered nonsense adds nothing; if nothing was
    /// found because of that, the next take asks the queue again rather than answering "none".
    private func keepTaken(_ replies: ArraySlice<RedisReply>) {
        guard !replies.isEmpty else { return }
        var taken: [JobRecord] = []
        var failed = false
        for (index, reply) in replies.enumerated() {
            if case .error = reply {
                failed = true
                continue
            }
            do {
                if index == 0 {
                    if let job = try JobQueue.takenJob(reply) { taken.append(job) }
                } else {
                    taken += try JobQueue.takenJobs(reply)
                }
            } catch {
                failed = true
                queue.logger.error("unreadable answer to a take", metadata: ["error": "\(error)"])
            }
        }
        let ahead = (lookedAhead ?? []) + taken
        lookedAhead = ahead.isEmpty && failed ? nil : ahead
    }

    /// Gives the jobs taken ahead back to the queue (`mimir_hand_back_patient`): the slot has not
    /// started them and its current job runs long, or the worker stops. Returns their ids, taken
    /// ahead no more, whatever the queue answered (a job it no longer holds here is left as it is
    /// there). `keepingFirst`: the next one stays (it is already on its way to an executor).
    ///
    /// Within the slot's patience, as its takes: when the call fails (Redis stalled past the
    /// socket's timeout, say) the slot runs the jobs itself, and a hand-back Redis ran after that
    /// would have them run twice. Redis refuses it past the patience (nothing given back, the
    /// jobs still the slot's: answered with no ids), and a reply the slot gave up on comes later
    /// than that.
    public func handBackJobsAhead(workerID: String, keepingFirst: Bool = false) throws(QueueError) -> [String] {
        let kept = keepingFirst ? jobsAhead.prefix(1) : []
        let ids = jobsAhead.dropFirst(kept.count).map(\.id)
        guard !ids.isEmpty else { return [] }
        let sent = try sendingStamp(caller: workerID)
        let reply = try call(
            .handBackPatient,
            sent + [
                workerID, String(queue.clock.nowMilliseconds()), String(queue.configuration.retention.wholeSeconds),
            ] + ids,
            jobID: ids[0], caller: workerID)
        // `call` answers a call refused as late with nil; a hand-back otherwise counts its jobs.
        if reply.isNull { return [] }
        lookedAhead = kept.isEmpty ? nil : Array(kept)
        return ids
    }

    /// After the ends were refused as a whole: the log lines that did get appended (their own
    /// call answered) are not sent again with the next report.
    private func keepPendingAfterRefusal(logReplies: ArraySlice<RedisReply>) {
        var replies = logReplies
        for index in pendingFinishes.indices where !pendingFinishes[index].lines.isEmpty {
            guard let reply = replies.popFirst() else { break }
            if case .error = reply { continue }
            pendingFinishes[index].lines = []
        }
    }

    /// The status the end `claim` left job `jobID` with, if its fields show that end went in; nil
    /// when they do not, or cannot be read (the end stays refused).
    private func statusLeft(by claim: EndClaim, jobID: String) -> JobStatus? {
        (try? jobState(jobID))?.flatMap(claim.wentIn)
    }

    /// The job's fields an end's claim is judged by; nil when the answer is not one per field.
    private func jobState(_ jobID: String) throws(RedisError) -> EndClaim.JobState? {
        let reply = try open().send(["HMGET", "\(queue.namespace):job:\(jobID)"] + EndClaim.JobState.fieldNames)
        return reply.array.flatMap { EndClaim.JobState(fields: $0.map(\.string)) }
    }

    /// A finish's status from its entry in `mimir_finish_many`'s answer.
    private func answer(_ reply: RedisReply, jobID: String, caller: String) -> Result<JobStatus, QueueError> {
        if case .error(let message) = reply { return .failure(queue.refusal(message, jobID: jobID, caller: caller)) }
        return Result { () throws(QueueError) in try JobQueue.finishedStatus(reply) }
    }

    /// Appends the attempt's last log lines and ends it, in one round trip: the lines first, as
    /// ``JobQueue/appendLogs(jobID:lines:workerID:)`` then ``JobQueue/finish(jobID:workerID:outcome:)``.
    /// Finishes still pending from ``finishLater(jobID:workerID:outcome:lines:)`` go along.
    ///
    /// With `thenTakeFor`, the same round trip also takes the slot's next job (as ``take(workerID:offer:)``
    /// would right after), which the next `take` then answers with: a busy slot's job costs one
    /// round trip instead of two. The take counts even when the finish is refused.
    public func finish(
        jobID: String, workerID: String, outcome: AttemptOutcome, lines: [LogLine],
        thenTakeFor offer: WorkerOffer? = nil
    ) throws(QueueError) -> JobStatus {
        finishLater(jobID: jobID, workerID: workerID, outcome: outcome, lines: lines)
        let answers = try report(workerID: workerID, takes: offer == nil ? 0 : 1, offer: offer)
        guard let own = answers.last(where: { $0.jobID == jobID }) else {
            throw .corrupt("no reply to mimir_finish for job \(jobID)")
        }
        return try own.status.get()
    }

    /// Waits until a job of the session's types may be ready (a wake-up token), or `timeout`
    /// passes, then takes one for `offer` in the same round trip (`mimir_take_patient` right
    /// behind the `BLPOP`), which the next ``take(workerID:offer:)`` answers with. Returns
    /// whether it took a job.
    ///
    /// Waking and then taking were two round trips per job for a slot fed one job at a time:
    /// a wake-up of the slot's thread and of Redis more per job, and a round trip more between a
    /// submission and its start.
    public func waitForWork(upTo timeout: Duration, thenTakeFor offer: WorkerOffer, workerID: String)
        throws(QueueError) -> Bool
    {
        guard !wakeKeys.isEmpty, let take = queue.takeArguments(workerID: workerID, offer: offer) else {
            return false
        }
        let milliseconds = max(timeout.milliseconds, 1)
        let seconds = "\(milliseconds / 1000).\(String(1000 + milliseconds % 1000).dropFirst())"
        do {
            // The socket may wait as long as the server does, plus the usual allowance.
            let connection = try open(timeout: queue.redis.configuration.commandTimeout + timeout)
            let replies = try connection.pipeline([
                ["BLPOP"] + wakeKeys + [seconds],
                queue.command(.takePatient, try stamp(on: connection, waiting: milliseconds) + take),
            ])
            forgetRedisClock(ifLate: replies)
            if case .error(let message)? = replies.last, QueueFunctions.isLibraryMissing(message) {
                // Redis lost the functions (a restart without persistence): load them here, and
                // the slot's next take, alone, gets the job whose token this wait used.
                try loadLibrary()
                return false
            }
            let waitingBefore = jobsAhead.count
            keepTaken(replies.suffix(1))
            return jobsAhead.count > waitingBefore
        } catch {
            throw QueueError.from(error, jobID: "", caller: workerID)
        }
    }

    /// What a call sent now on the slot's connection carries for a patient function
    /// (`mimir_take_patient`, `mimir_hand_back_patient`, …): the latest Redis' clock may read
    /// now, and the call's patience.
    private func sendingStamp(caller: String) throws(QueueError) -> [String] {
        do {
            return try stamp(on: open(), waiting: 0)
        } catch {
            throw QueueError.from(error, jobID: "", caller: caller)
        }
    }

    /// For a take sent now behind a wait of `waiting` ms: the latest Redis' clock may read now
    /// (µs), by this side's estimate and how far off that may be. Redis counts the time passed
    /// from it, so the count is never more than the time that passed: a job's started_at is never
    /// after its take ran. The patience (ms) is the wait and half the command timeout, well before
    /// this side gives up on the reply (the wait and the whole timeout), less twice what the
    /// estimate may be off by (the count may be that much short), so that the time really passed
    /// can never run past this side's.
    private func stamp(on connection: RedisConnection, waiting: Int64) throws(RedisError) -> [String] {
        let clock = try redisNow(on: connection)
        let patience =
            waiting + queue.redis.configuration.commandTimeout.milliseconds / 2 - (2 * clock.uncertainty + 999) / 1000
        return [String(clock.now + clock.uncertainty), String(patience)]
    }

    /// Redis' clock now, in microseconds, and how far off that may be (µs): half the round trip
    /// of the `TIME` it was measured with, plus the time since on this host's monotonic clock (a
    /// step of the wall clock here must not make every take look late). A measurement is kept
    /// per connection for a minute, so that the clocks' drift does not add up. One measured
    /// slowly (a busy machine: over 5 ms off) is measured again after a second, and the more
    /// precise of the two kept; measuring before every take would spend a round trip per job.
    /// The round trip is also timed on the queue's clock (whole ms), which tests drive: the
    /// longer of the two counts.
    private func redisNow(on connection: RedisConnection) throws(RedisError) -> (now: Int64, uncertainty: Int64) {
        let start = ContinuousClock.now
        func estimate(_ reading: RedisClockReading) -> (now: Int64, uncertainty: Int64) {
            (reading.redis + (ContinuousClock.now - reading.measured).microseconds, reading.uncertainty)
        }
        let kept = redisClock.flatMap { $0.connection === connection && start - $0.measured < .seconds(60) ? $0 : nil }
        if let kept, kept.uncertainty <= 5_000 || start - kept.tried < .seconds(1) { return estimate(kept) }
        let before = queue.clock.nowMilliseconds()
        let reply = try connection.send(["TIME"])
        let after = queue.clock.nowMilliseconds()
        let end = ContinuousClock.now
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].string.flatMap({ Int64($0) }),
            let microseconds = parts[1].string.flatMap({ Int64($0) })
        else {
            throw RedisError(
                kind: .protocol, server: queue.redis.configuration.serverName, command: "TIME",
                reason: "unexpected answer \(reply)")
        }
        // Whole milliseconds on the queue's clock: a difference of 1 may be a few µs.
        let uncertainty = max(((end - start).microseconds + 1) / 2, max(0, after - before - 1) * 500)
        if var kept, kept.uncertainty <= uncertainty {
            kept.tried = start
            redisClock = kept
            return estimate(kept)
        }
        // Redis read its clock about halfway through the round trip.
        let reading = RedisClockReading(
            connection: connection, redis: seconds * 1_000_000 + microseconds, uncertainty: uncertainty,
            measured: start + (end - start) / 2, tried: start)
        redisClock = reading
        return estimate(reading)
    }

    /// After a take refused as `LATE`: the estimate of Redis' clock may be what was off (its
    /// clock stepped), so the next take measures it again.
    private func forgetRedisClock(ifLate replies: [RedisReply]) {
        let late = replies.contains { reply in
            if case .error(let message) = reply { return QueueFunctions.isLate(message) }
            return false
        }
        if late { redisClock = nil }
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
            } catch let error where error.serverMessage.map(QueueFunctions.isLate) == true {
                // Nothing taken; the next take measures Redis' clock again.
                redisClock = nil
                return .null
            }
        } catch {
            throw QueueError.from(error, jobID: jobID, caller: caller)
        }
    }

    /// Sends `commands` (function calls) in one round trip. Those Redis did not know (the library
    /// lost, or loaded by a release without them, during a rolling upgrade) are sent again, in
    /// order, once this release's library is loaded; the others ran and are not repeated (an end
    /// sent again was refused the second time, its job ended, and so were its log lines).
    private func pipeline(_ commands: [[String]], jobID: String, caller: String) throws(QueueError) -> [RedisReply] {
        do {
            var replies = try open().pipeline(commands)
            forgetRedisClock(ifLate: replies)
            let unknown = replies.indices.filter { index in
                if case .error(let message) = replies[index] { return QueueFunctions.isLibraryMissing(message) }
                return false
            }
            guard !unknown.isEmpty else { return replies }
            try loadLibrary()
            let again = try open().pipeline(unknown.map { commands[$0] })
            forgetRedisClock(ifLate: again)
            for (index, reply) in zip(unknown, again) { replies[index] = reply }
            return replies
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
