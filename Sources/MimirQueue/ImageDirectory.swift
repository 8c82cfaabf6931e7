import MimirCore
import MimirRedis

/// What the queue's store knows of one worker image: its declaration from the orchestrator's
/// configuration, and the latest report of a worker running it. Either may be missing.
public struct WorkerImageRecord: Sendable, Hashable {
    public var name: String
    /// The configured declaration: capabilities, resources and slots, as `mimir-worker declare` prints.
    public var declared: JSONValue?
    /// The latest registration of one of its workers: capabilities, resources and slots.
    public var reported: JSONValue?
    public var reportedAt: Int64?
    public var reportedBy: String?
}

/// The worker image catalog, in Redis beside the queue, so that every orchestrator (and a
/// restarted one) knows what each image can run before any of its workers is alive: the base for
/// refusing unservable jobs and for scaling an image up from zero.
public struct ImageDirectory: Sendable {
    let queue: JobQueue

    public init(queue: JobQueue) {
        self.queue = queue
    }

    private var namespace: String { queue.configuration.namespace }

    /// Makes `declarations` (image name → declaration) the declared images, replacing earlier ones.
    public func declare(_ declarations: [(name: String, document: JSONValue)]) async throws(QueueError) {
        let pairs = declarations.flatMap { [$0.name, $0.document.jsonText()] }
        _ = try await queue.call(.declareImages, [String(queue.clock.nowMilliseconds())] + pairs)
    }

    /// Forgets undeclared images none of whose workers registered within `age`.
    public func prune(unreportedFor age: Duration) async throws(QueueError) -> Int {
        let horizon = queue.clock.nowMilliseconds() - age.milliseconds
        return Int(try await queue.call(.pruneImages, [String(horizon)]).int ?? 0)
    }

    public func all() async throws(QueueError) -> [WorkerImageRecord] {
        let names: [String]
        let replies: [RedisReply]
        do {
            names = (try await queue.redis.execute(["ZRANGE", "\(namespace):images", "0", "-1"]).array ?? [])
                .compactMap(\.string)
            replies = try await queue.redis.pipeline(names.map { ["HGETALL", "\(namespace):image:\($0)"] })
        } catch {
            throw QueueError.from(error, jobID: "")
        }
        return zip(names, replies).compactMap { name, reply in
            JobQueue.fields(reply).flatMap { Self.record(name: name, $0) }
        }
    }

    static func record(name: String, _ fields: [String: String]) -> WorkerImageRecord? {
        guard !fields.isEmpty else { return nil }
        return WorkerImageRecord(
            name: name, declared: fields["declared"].flatMap { try? JSONValue.parse($0) },
            reported: fields["reported"].flatMap { try? JSONValue.parse($0) },
            reportedAt: fields["reported_at"].flatMap { Int64($0) }, reportedBy: fields["reported_by"])
    }
}
