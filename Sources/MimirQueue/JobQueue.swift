import Logging
import MimirCore
import MimirRedis

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The job queue in Redis: submission, leases, retries, the dead letter, listing. Every
/// operation that touches several keys is one call of a `mimir` Redis function, so it is atomic.
public final class JobQueue: Sendable {
    public let configuration: QueueConfiguration
    let redis: RedisClient
    let clock: any QueueClock
    let logger: Logger
    let coalescer = SubmissionCoalescer()

    public init(redis: RedisClient, configuration: QueueConfiguration, clock: any QueueClock, logger: Logger) {
        self.redis = redis
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    var namespace: String { configuration.namespace }

    /// Loads (or replaces) the `mimir` function library. Called at start; also called again on
    /// its own when Redis reports a missing function.
    public func prepare() async throws(QueueError) {
        do {
            _ = try await redis.execute(QueueFunctions.loadCommand)
        } catch {
            // A Redis still loading its data after a restart is not a broken one: the API
            // answers 503 until it is ready, as when it cannot be reached.
            throw error.isConnectionProblem || error.isPassingRefusal
                ? .unavailable(error) : .corrupt("loading the mimir function library: \(error)")
        }
    }

    /// The `FCALL` of a function of the library in this queue's namespace.
    func command(_ function: QueueFunctions.Name, _ arguments: [String]) -> [String] {
        ["FCALL", function.rawValue, "0", namespace] + arguments
    }

    func warnLibraryLost() {
        logger.warning("Redis lost the mimir function library (restart without persistence?); loading it again")
    }

    /// Calls a function of the library, loading the library once if Redis lost it.
    func call(
        _ function: QueueFunctions.Name, _ arguments: [String], jobID: String = "", caller: String = "",
        jobType: String = ""
    ) async throws(QueueError) -> RedisReply {
        let command = command(function, arguments)
        do {
            return try await redis.execute(command)
        } catch let error where error.serverMessage.map(QueueFunctions.isLibraryMissing) == true {
            warnLibraryLost()
            try await prepare()
            do {
                return try await redis.execute(command)
            } catch {
                throw QueueError.from(error, jobID: jobID, caller: caller, jobType: jobType)
            }
        } catch {
            throw QueueError.from(error, jobID: jobID, caller: caller, jobType: jobType)
        }
    }

    // MARK: Clients

    public func job(_ id: String) async throws(QueueError) -> JobRecord {
        let reply: RedisReply
        do {
            reply = try await redis.execute(jobReadCommand(id))
        } catch {
            throw QueueError.from(error, jobID: id)
        }
        return try job(id, from: reply)
    }

    /// The command that reads job `id`'s record.
    func jobReadCommand(_ id: String) -> [String] {
        ["HGETALL", "\(namespace):job:\(id)"]
    }

    /// Job `id`'s record from the reply to ``jobReadCommand(_:)``.
    func job(_ id: String, from reply: RedisReply) throws(QueueError) -> JobRecord {
        guard let fields = Self.fields(reply), !fields.isEmpty else { throw .notFound(jobID: id) }
        guard let record = JobRecord(fields: fields) else { throw .corrupt("job \(id) lacks required fields") }
        return record
    }

    /// Jobs newest first, filtered by status and type.
    public func list(status: JobStatus? = nil, type: String? = nil, cursor: String? = nil, limit: Int = 50)
        async throws(QueueError) -> JobPage
    {
        let reply = try await call(.list, [status?.rawValue ?? "", type ?? "", cursor ?? "", String(limit)])
        guard let flat = reply.array?.compactMap(\.string), flat.count.isMultiple(of: 2) else {
            throw .corrupt("mimir_list answered \(reply)")
        }
        let entries = stride(from: 0, to: flat.count, by: 2).map { (id: flat[$0], score: flat[$0 + 1]) }
        let page = entries.prefix(limit)
        let replies: [RedisReply]
        do {
            replies = try await redis.pipeline(page.map { jobReadCommand($0.id) })
        } catch {
            throw QueueError.from(error, jobID: "")
        }
        let jobs = replies.compactMap { Self.fields($0).flatMap { JobRecord(fields: $0) } }
        return JobPage(jobs: jobs, nextCursor: entries.count > limit ? page.last?.score : nil)
    }

    public func stats() async throws(QueueError) -> QueueStats {
        let reply = try await call(.stats, [])
        guard let parts = reply.array, parts.count == 4, let rows = parts[0].array, let counts = parts[1].array else {
            throw .corrupt("mimir_stats answered \(reply)")
        }
        let depths = rows.compactMap { row -> QueueStats.TypeDepth? in
            guard let cells = row.array, cells.count == 12, let type = cells[0].string else { return nil }
            var byPriority: [Int: Int] = [:]
            for priority in 0...9 { byPriority[priority] = Int(cells[priority + 2].int ?? 0) }
            return QueueStats.TypeDepth(type: type, ready: Int(cells[1].int ?? 0), byPriority: byPriority)
        }.sorted { $0.type < $1.type }
        var statusCounts: [JobStatus: Int] = [:]
        for index in stride(from: 0, to: counts.count - 1, by: 2) {
            if let status = counts[index].string.flatMap(JobStatus.init(rawValue:)) {
                statusCounts[status] = Int(counts[index + 1].int ?? 0)
            }
        }
        return QueueStats(
            depths: depths, counts: statusCounts, delayed: Int(parts[2].int ?? 0), inFlight: Int(parts[3].int ?? 0))
    }

    public func cancel(_ id: String) async throws(QueueError) -> CancelResult {
        let reply = try await call(
            .cancel, [id, String(clock.nowMilliseconds()), String(configuration.retention.wholeSeconds)], jobID: id)
        let record = try await job(id)
        return reply.string == "requested" ? .requested(record) : .cancelled(record)
    }

    /// Puts a failed or dead job back in the queue with fresh attempts.
    public func retry(_ id: String) async throws(QueueError) -> JobRecord {
        _ = try await call(.retry, [id, String(clock.nowMilliseconds())], jobID: id)
        return try await job(id)
    }

    public func logs(_ id: String, offset: Int = 0, limit: Int = 1000) async throws(QueueError) -> [LogLine] {
        let reply: RedisReply
        do {
            reply = try await redis.execute([
                "LRANGE", "\(namespace):logs:\(id)", String(offset), String(offset + max(limit, 1) - 1),
            ])
        } catch {
            throw QueueError.from(error, jobID: id)
        }
        return (reply.array ?? []).compactMap { $0.string.flatMap(LogLine.init(stored:)) }
    }

    // MARK: Workers

    /// Leases the most urgent ready job of the given types whatever it requires, or returns `nil`.
    public func take(workerID: String, types: [String]) async throws(QueueError) -> JobRecord? {
        try await take(
            workerID: workerID,
            arguments: types.isEmpty
                ? nil
                : takeArguments(
                    workerID: workerID, typeVersions: types.map { ($0, "") }, gpu: true, cpuMillicores: nil,
                    memoryBytes: nil))
    }

    /// Leases the most urgent ready job this worker can serve: one of its job types, within the
    /// executor version range the job asks for, and within the GPU, CPU and memory it offers.
    public func take(workerID: String, offer: WorkerOffer) async throws(QueueError) -> JobRecord? {
        try await take(workerID: workerID, arguments: takeArguments(workerID: workerID, offer: offer))
    }

    /// `nil` arguments: no job type offered, so nothing to take.
    private func take(workerID: String, arguments: [String]?) async throws(QueueError) -> JobRecord? {
        guard let arguments else { return nil }
        return try Self.takenJob(try await call(.take, arguments, caller: workerID))
    }

    /// What `mimir_take` needs for this offer; `nil` when it offers no job type.
    func takeArguments(workerID: String, offer: WorkerOffer) -> [String]? {
        let typeVersions = offer.executorVersions.sorted { $0.key < $1.key }.map {
            ($0.key, String(VersionRange.number($0.value)))
        }
        guard !typeVersions.isEmpty else { return nil }
        return takeArguments(
            workerID: workerID, typeVersions: typeVersions, gpu: offer.gpus > 0, cpuMillicores: offer.cpuMillicores,
            memoryBytes: offer.memoryBytes)
    }

    /// What `mimir_take_many` needs to take up to `count` jobs for this offer; `nil` when it
    /// offers no job type.
    func takeManyArguments(workerID: String, offer: WorkerOffer, count: Int) -> [String]? {
        guard var arguments = takeArguments(workerID: workerID, offer: offer) else { return nil }
        // After the worker, now, lease, gpu, cpu and memory, as the function reads them.
        arguments.insert(String(count), at: 6)
        return arguments
    }

    /// typeVersions: pairs of job type and executor version number ('' for any).
    private func takeArguments(
        workerID: String, typeVersions: [(String, String)], gpu: Bool, cpuMillicores: Int64?, memoryBytes: Int64?
    ) -> [String] {
        [
            workerID, String(clock.nowMilliseconds()), String(configuration.leaseDuration.milliseconds), gpu ? "1" : "",
            cpuMillicores.map(String.init) ?? "", memoryBytes.map(String.init) ?? "",
        ] + typeVersions.flatMap { [$0.0, $0.1] }
    }

    static func takenJob(_ reply: RedisReply) throws(QueueError) -> JobRecord? {
        if reply.isNull { return nil }
        guard let fields = Self.fields(reply), let record = JobRecord(fields: fields) else {
            throw .corrupt("mimir_take answered \(reply)")
        }
        return record
    }

    static func takenJobs(_ reply: RedisReply) throws(QueueError) -> [JobRecord] {
        guard let replies = reply.array else { throw .corrupt("mimir_take_many answered \(reply)") }
        var jobs: [JobRecord] = []
        for taken in replies {
            guard let job = try takenJob(taken) else { throw .corrupt("mimir_take_many answered \(reply)") }
            jobs.append(job)
        }
        return jobs
    }

    /// Renews the worker's lease on a running job and records progress. Returns whether
    /// cancellation has been requested.
    public func heartbeat(jobID: String, workerID: String, progress: Double? = nil, message: String? = nil)
        async throws(QueueError) -> Bool
    {
        let reply = try await call(
            .heartbeat, heartbeatArguments(jobID: jobID, workerID: workerID, progress: progress, message: message),
            jobID: jobID, caller: workerID)
        return reply.int == 1
    }

    func heartbeatArguments(jobID: String, workerID: String, progress: Double?, message: String?) -> [String] {
        [
            jobID, workerID, String(clock.nowMilliseconds()), String(configuration.leaseDuration.milliseconds),
            progress.map { String(min(max($0, 0), 1)) } ?? "", message ?? "", message == nil ? "0" : "1",
        ]
    }

    /// Ends the worker's attempt. Returns the job's new status.
    @discardableResult
    public func finish(jobID: String, workerID: String, outcome: AttemptOutcome) async throws(QueueError) -> JobStatus {
        let reply = try await call(
            .finish, finishArguments(jobID: jobID, workerID: workerID, outcome: outcome), jobID: jobID, caller: workerID
        )
        return try Self.finishedStatus(reply)
    }

    static func finishedStatus(_ reply: RedisReply) throws(QueueError) -> JobStatus {
        guard let next = reply.string.flatMap(JobStatus.init(rawValue:)) else {
            throw .corrupt("mimir_finish answered \(reply)")
        }
        return next
    }

    func finishArguments(jobID: String, workerID: String, outcome: AttemptOutcome) -> [String] {
        var result = ""
        var error = ""
        var kind = ""
        var retryable = false
        let status: String
        switch outcome {
        case .succeeded(let value):
            status = "succeeded"
            result = value?.jsonText() ?? ""
        case .failed(let message, let errorKind, let isRetryable, let value):
            status = "failed"
            (error, kind, retryable) = (message, errorKind.rawValue, isRetryable)
            result = value?.jsonText() ?? ""
        case .cancelled(let message):
            status = "cancelled"
            (error, kind) = (message, JobErrorKind.cancelled.rawValue)
        }
        return [
            jobID, workerID, String(clock.nowMilliseconds()), status, result, error, kind, retryable ? "1" : "0",
            String(configuration.backoffBase.milliseconds), String(configuration.backoffCap.milliseconds),
            // Only a retried failure waits a backoff; drawing jitter for every finish cost a
            // getrandom(2) call per job.
            retryable ? String(min(max(configuration.jitter(), 0), 0.999_999)) : "0",
            String(configuration.retention.wholeSeconds),
            String(configuration.maxCrashes),
        ]
    }

    /// Appends log lines. With `workerID`, only while that worker holds the running job.
    public func appendLogs(jobID: String, lines: [LogLine], workerID: String? = nil) async throws(QueueError) {
        guard !lines.isEmpty else { return }
        _ = try await call(
            .appendLogs, appendLogsArguments(jobID: jobID, lines: lines, workerID: workerID), jobID: jobID,
            caller: workerID ?? "")
    }

    func appendLogsArguments(jobID: String, lines: [LogLine], workerID: String?) -> [String] {
        [jobID, String(configuration.logLinesPerJob), workerID ?? ""] + lines.map(\.stored)
    }

    // MARK: Maintenance

    /// Requeues jobs whose lease expired (dead letter on their last attempt) and promotes due
    /// retries. Safe to run from several orchestrators at once.
    public func reap() async throws(QueueError) -> ReapReport {
        let reply = try await call(
            .reap,
            [
                String(clock.nowMilliseconds()), String(configuration.retention.wholeSeconds),
                String(configuration.reapBatch),
            ])
        guard let counts = reply.array?.compactMap(\.int), counts.count == 4 else {
            throw .corrupt("mimir_reap answered \(reply)")
        }
        return ReapReport(
            requeued: Int(counts[0]), dead: Int(counts[1]), cancelled: Int(counts[2]), promoted: Int(counts[3]))
    }

    static func fields(_ reply: RedisReply) -> [String: String]? {
        guard let items = reply.array else { return nil }
        var fields: [String: String] = [:]
        fields.reserveCapacity(items.count / 2)
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let key = items[index].string { fields[key] = items[index + 1].string ?? "" }
        }
        return fields
    }
}

/// Ready jobs of one type that need the same of a worker, as the scaler sees the queue.
public struct PendingGroup: Sendable, Hashable {
    public var type: String
    public var requirements: JobRequirements
    public var count: Int
}

extension JobQueue {
    /// The ready jobs grouped by type and requirements. Each queue's `sample` most urgent jobs are
    /// read; the rest of a longer queue is shared out among its groups in the same proportions.
    public func pendingWork(sample: Int = 500) async throws(QueueError) -> [PendingGroup] {
        let reply = try await call(.pending, [String(max(1, sample))])
        var groups: [PendingGroup] = []
        for row in reply.array ?? [] {
            guard let items = row.array, items.count >= 2, let type = items[0].string, let total = items[1].int else {
                continue
            }
            var sampled: [PendingGroup] = []
            for entry in items.dropFirst(2) {
                guard let fields = entry.array, fields.count == 6 else { continue }
                func number(_ index: Int) -> Int64? { fields[index].string.flatMap { Int64($0) } }
                sampled.append(
                    PendingGroup(
                        type: type,
                        requirements: JobRequirements(
                            minimumVersion: number(0), belowVersion: number(1), gpu: fields[2].string == "1",
                            cpuMillicores: number(3), memoryBytes: number(4)),
                        count: Int(fields[5].int ?? 0)))
            }
            let seen = sampled.reduce(0) { $0 + $1.count }
            guard seen > 0 else { continue }
            // Scale the sample up to the whole queue, rounding up so no group is counted as empty.
            for var group in sampled {
                group.count = Int((Int64(group.count) * total + Int64(seen) - 1) / Int64(seen))
                groups.append(group)
            }
        }
        return groups
    }
}
