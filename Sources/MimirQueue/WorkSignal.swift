import MimirRedis

/// Where an idle worker waits for work: blocked (BLPOP on a connection of its own) on the wake
/// lists of its job types, which every enqueue feeds one token. A job submitted while the worker
/// waits reaches it in about a round trip instead of at its next poll.
///
/// Tokens are not jobs: after waking, the worker still takes through `mimir_take`, which decides
/// what it gets. A token consumed by a worker that cannot serve the job (another GPU or version
/// need) wakes no one else: such jobs are found at the next poll, which the wait's timeout bounds.
public final class WorkSignal: Sendable {
    private let connection: RedisBlockingConnection
    private let keys: [String]

    public init(queue: JobQueue, types: [String]) {
        connection = RedisBlockingConnection(configuration: queue.redis.configuration)
        keys = types.sorted().map { "\(queue.configuration.namespace):wake:\($0)" }
    }

    /// Waits until a job of one of the types may be ready, or `timeout` passes. `true` when a token
    /// arrived. Errors (Redis away) are thrown so the caller can back off.
    public func wait(upTo timeout: Duration) async throws(QueueError) -> Bool {
        guard !keys.isEmpty else { return false }
        let seconds = Double(timeout.milliseconds) / 1000
        do {
            let reply = try await connection.execute(
                ["BLPOP"] + keys + [String(format: seconds)], blockingFor: timeout)
            return !reply.isNull
        } catch {
            throw QueueError.from(error, jobID: "")
        }
    }

    public func shutdown() async {
        await connection.shutdown()
    }
}

extension String {
    /// Seconds with millisecond precision, as Redis' blocking commands take them.
    fileprivate init(format seconds: Double) {
        let milliseconds = Int64((seconds * 1000).rounded())
        let fraction = milliseconds % 1000
        self = "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - String(fraction).count) + "\(fraction)"
    }
}
