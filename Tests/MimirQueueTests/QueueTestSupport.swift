import Foundation
import Logging
import MimirCore
import MimirQueue
import MimirRedis
import MimirTestSupport
import Testing

/// One real Redis for the suite; every test gets its own key namespace on it.
enum SharedRedis {
    static let server = Task { try await RedisServer.start() }

    static func url() async throws -> String {
        try await server.value.url
    }
}

/// A queue on a fresh namespace with a manual clock and fixed jitter.
struct QueueHarness {
    let queue: JobQueue
    let clock: ManualQueueClock
    let redis: RedisClient

    static func make(
        url: String? = nil, _ adjust: (inout QueueConfiguration) -> Void = { _ in }
    ) async throws -> QueueHarness {
        var configuration = QueueConfiguration(
            namespace: "test-\(UUID().uuidString.prefix(8))", leaseDuration: .seconds(10), backoffBase: .seconds(1),
            backoffCap: .seconds(4), jitter: { 0.5 })
        adjust(&configuration)
        let redisURL: String
        if let url { redisURL = url } else { redisURL = try await SharedRedis.url() }
        let redis = RedisClient(configuration: try RedisConfiguration(url: redisURL), poolSize: 4, logger: quietLogger)
        let clock = ManualQueueClock()
        let queue = JobQueue(redis: redis, configuration: configuration, clock: clock, logger: quietLogger)
        try await queue.prepare()
        return QueueHarness(queue: queue, clock: clock, redis: redis)
    }

    /// The same queue over a client of its own whose calls give up after `commandTimeout`, as a
    /// worker slot's (a slot's patience is half of it); on the harness' clock unless given one.
    func queue(commandTimeout: Duration, clock: (any QueueClock)? = nil) -> JobQueue {
        var configuration = redis.configuration
        configuration.commandTimeout = commandTimeout
        return JobQueue(
            redis: RedisClient(configuration: configuration, poolSize: 1, logger: quietLogger),
            configuration: queue.configuration, clock: clock ?? self.clock, logger: quietLogger)
    }

    @discardableResult
    func submit(
        _ type: String = "ml_training", priority: Int = 5, maxAttempts: Int = 3, key: String? = nil,
        spec: JSONValue = [:]
    )
        async throws -> JobRecord
    {
        let job = NewJob(type: type, priority: priority, maxAttempts: maxAttempts, spec: spec)
        switch try await queue.submit(job, idempotencyKey: key) {
        case .created(let record), .existing(let record): return record
        }
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    return logger
}()

/// The queue error `operation` throws, or `nil` (recorded as an issue) when it throws none or
/// another error. Tests assert on its description: the message a user reads.
func queueError(sourceLocation: SourceLocation = #_sourceLocation, _ operation: () async throws -> Void) async
    -> QueueError?
{
    do {
        try await operation()
        Issue.record("expected a queue error", sourceLocation: sourceLocation)
    } catch let error as QueueError {
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
