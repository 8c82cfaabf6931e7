import Logging
import MimirCore
import MimirQueue
import MimirRedis

/// Who submitted, cancelled or retried what: a capped Redis stream (`<ns>:audit`, newest
/// `capacity` entries) read by `GET /api/audit`, and the same line in the orchestrator's log
/// (label `mimir.audit`), so the record survives even when Redis refuses the write.
struct AuditLog: Sendable {
    let redis: RedisClient
    let key: String
    let capacity: Int
    let logger: Logger
    let clock: any QueueClock

    init(redis: RedisClient, namespace: String, capacity: Int, clock: any QueueClock) {
        self.redis = redis
        self.key = "\(namespace):audit"
        self.capacity = capacity
        self.clock = clock
        var logger = Logger(label: "mimir.audit")
        logger.logLevel = .info
        self.logger = logger
    }

    enum Action: String, Sendable {
        case submit, cancel, retry
    }

    func record(_ caller: Caller?, _ action: Action, jobID: String, jobType: String) async {
        let who = caller ?? .anonymous
        let time = clock.nowMilliseconds()
        logged(who, action, jobID: jobID, jobType: jobType)
        do {
            _ = try await redis.execute([
                "XADD", key, "MAXLEN", "~", String(capacity), "*", "time", String(time), "caller", who.name, "role",
                who.role.rawValue, "action", action.rawValue, "job", jobID, "type", jobType,
            ])
        } catch {
            logger.error(
                "audit entry not stored in Redis; it is only in this log",
                metadata: ["key": "\(key)", "job": "\(jobID)", "error": "\(error)"])
        }
    }

    /// What `mimir_submit` needs to write a submission's stream entry itself, in the same call as
    /// the job (one Redis round trip per submission instead of two); the key is the same
    /// `<ns>:audit` (the queue's namespace).
    func submission(by caller: Caller?) -> SubmitAudit {
        let who = caller ?? .anonymous
        return SubmitAudit(caller: who.name, role: who.role.rawValue, capacity: capacity)
    }

    /// The log line of an entry (for submissions, whose stream entry `mimir_submit` wrote).
    func logged(_ caller: Caller?, _ action: Action, jobID: String, jobType: String) {
        line(caller, action, ["job": "\(jobID)", "type": "\(jobType)"])
    }

    /// The log line of a batch's submissions: one line naming every job and its type, in the
    /// batch's order (a line per job was most of a batch's logging cost; the stream still has an
    /// entry per job).
    func loggedBatch(_ caller: Caller?, _ records: [JobRecord]) {
        line(
            caller, .submit,
            [
                "jobs": "\(records.map(\.id).joined(separator: ","))",
                "types": "\(records.map(\.type).joined(separator: ","))",
            ])
    }

    private func line(_ caller: Caller?, _ action: Action, _ subject: Logger.Metadata) {
        let who = caller ?? .anonymous
        var metadata = subject
        metadata["caller"] = "\(who.name)"
        metadata["role"] = "\(who.role.rawValue)"
        metadata["action"] = "\(action.rawValue)"
        logger.notice("audit", metadata: metadata)
    }

    /// The newest entries first.
    func recent(limit: Int) async throws(RedisError) -> [JSONValue] {
        let reply = try await redis.execute(["XREVRANGE", key, "+", "-", "COUNT", String(limit)])
        return (reply.array ?? []).compactMap { entry in
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array
            else { return nil }
            var object: [String: JSONValue] = ["id": .string(id)]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                guard let name = fields[index].string, let value = fields[index + 1].string else { continue }
                object[name] =
                    name == "time"
                    ? Int64(value).map { .string(UTCTimestamp.format(milliseconds: $0)) } ?? .string(value)
                    : .string(value)
            }
            return .object(object)
        }
    }
}
