/// How the queue behaves; documented in docs/queue.md. The orchestrator sets most values from its
/// command line or environment (docs/operations.md); the idempotency key lifetime, the reap batch
/// and the jitter source keep their defaults there.
public struct QueueConfiguration: Sendable {
    /// Prefix of every Redis key, so several deployments can share one Redis.
    public var namespace: String
    /// How long a worker holds a job without renewing; a job whose lease runs out goes back to
    /// the queue (attempt + 1).
    public var leaseDuration: Duration
    /// Retry backoff: attempt n waits between half and all of min(cap, base × 2^(n−1)).
    public var backoffBase: Duration
    public var backoffCap: Duration
    /// Finished jobs (succeeded, failed, cancelled, dead) and their logs are kept this long.
    public var retention: Duration
    /// How long an Idempotency-Key is remembered.
    public var idempotencyKeyLifetime: Duration
    /// Log lines kept per job; older ones are dropped and counted.
    public var logLinesPerJob: Int
    /// Most jobs waiting in one type's queue; a submission beyond it is refused (0: no limit).
    public var maxQueuedPerType: Int
    /// Expired leases and due retries handled per reaper pass.
    public var reapBatch: Int
    /// Crashes of its executor (`JobErrorKind.crashed`) after which a job is a poison pill: it goes
    /// to the dead letter instead of being retried, so one bad input cannot crash workers forever.
    public var maxCrashes: Int
    /// A value in [0, 1) for backoff jitter; injectable for tests.
    public var jitter: @Sendable () -> Double

    public init(
        namespace: String = "mimir", leaseDuration: Duration = .seconds(15), backoffBase: Duration = .seconds(1),
        backoffCap: Duration = .seconds(300), retention: Duration = .seconds(7 * 86_400),
        idempotencyKeyLifetime: Duration = .seconds(86_400), logLinesPerJob: Int = 1000,
        maxQueuedPerType: Int = 100_000, reapBatch: Int = 500, maxCrashes: Int = 3,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.namespace = namespace
        self.leaseDuration = leaseDuration
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.retention = retention
        self.idempotencyKeyLifetime = idempotencyKeyLifetime
        self.logLinesPerJob = logLinesPerJob
        self.maxQueuedPerType = maxQueuedPerType
        self.reapBatch = reapBatch
        self.maxCrashes = max(1, maxCrashes)
        self.jitter = jitter
    }
}

extension Duration {
    /// Whole milliseconds.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole microseconds.
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// Whole seconds, at least 1 (Redis EXPIRE refuses 0).
    var wholeSeconds: Int64 { max(1, components.seconds) }
}
