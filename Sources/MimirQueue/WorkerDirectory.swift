import Logging
import MimirCore
import MimirRedis

/// A worker as registered: what it sent, and what its heartbeats keep current.
public struct WorkerRecord: Sendable, Hashable {
    public var id: String
    /// The registration document: image, host, resources, slots, capabilities.
    public var document: JSONValue
    public var registeredAt: Int64
    public var heartbeatAt: Int64
    /// What the worker said on its last heartbeat: idle, busy or draining.
    public var reportedStatus: String
    public var runningJobs: [String]
}

/// The registered workers, in Redis beside the queue.
public struct WorkerDirectory: Sendable {
    let queue: JobQueue

    public init(queue: JobQueue) {
        self.queue = queue
    }

    private var namespace: String { queue.configuration.namespace }

    /// Stores the registration, and what it says the worker's image can do in the image catalog.
    public func register(id: String, document: JSONValue) async throws(QueueError) {
        let image = document["image"]?.stringValue ?? ""
        var report: [String: JSONValue] = [:]
        for key in ["capabilities", "resources", "slots"] { report[key] = document[key] }
        _ = try await queue.call(
            .registerWorker,
            [
                id, String(queue.clock.nowMilliseconds()), document.jsonText(), image,
                JSONValue.object(report).jsonText(),
            ])
    }

    /// Returns `false` when the worker is unknown and must register again.
    public func heartbeat(id: String, status: String, runningJobs: [String]) async throws(QueueError) -> Bool {
        let running = JSONValue.array(runningJobs.map(JSONValue.string)).jsonText()
        return try await queue.call(.workerHeartbeat, [id, String(queue.clock.nowMilliseconds()), status, running]).int
            == 1
    }

    public func remove(id: String) async throws(QueueError) {
        _ = try await queue.call(.removeWorker, [id, String(queue.clock.nowMilliseconds()), ""])
    }

    /// Forgets workers silent for longer than `age`.
    public func prune(silentFor age: Duration) async throws(QueueError) -> Int {
        let horizon = queue.clock.nowMilliseconds() - age.milliseconds
        return Int(
            try await queue.call(.removeWorker, ["", String(queue.clock.nowMilliseconds()), String(horizon)]).int ?? 0)
    }

    public func all() async throws(QueueError) -> [WorkerRecord] {
        let ids: [String]
        let replies: [RedisReply]
        do {
            ids = (try await queue.redis.execute(["ZRANGE", "\(namespace):workers", "0", "-1"]).array ?? []).compactMap(
                \.string)
            replies = try await queue.redis.pipeline(ids.map { ["HGETALL", "\(namespace):worker:\($0)"] })
        } catch {
            throw QueueError.from(error, jobID: "")
        }
        return zip(ids, replies).compactMap { id, reply in JobQueue.fields(reply).flatMap { Self.record(id: id, $0) } }
    }

    public func worker(_ id: String) async throws(QueueError) -> WorkerRecord? {
        let reply: RedisReply
        do {
            reply = try await queue.redis.execute(["HGETALL", "\(namespace):worker:\(id)"])
        } catch {
            throw QueueError.from(error, jobID: "")
        }
        return JobQueue.fields(reply).flatMap { Self.record(id: id, $0) }
    }

    static func record(id: String, _ fields: [String: String]) -> WorkerRecord? {
        guard let text = fields["document"], let document = try? JSONValue.parse(text) else { return nil }
        return WorkerRecord(
            id: id, document: document, registeredAt: fields["registered_at"].flatMap { Int64($0) } ?? 0,
            heartbeatAt: fields["heartbeat_at"].flatMap { Int64($0) } ?? 0, reportedStatus: fields["status"] ?? "idle",
            runningJobs: fields["running_jobs"].flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap(
                \.stringValue) ?? [])
    }
}
