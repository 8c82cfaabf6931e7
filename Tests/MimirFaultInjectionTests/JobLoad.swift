import Foundation
import Logging
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirRedis
import MimirTestSupport
import Synchronization

/// Submits fixture jobs over the real API and reads them back from the queue.
///
/// A job counts as accepted only when the API answered 201 with its id: a refused or unanswered
/// submission (503 during a Redis outage, a refused connection while the orchestrator restarts) is
/// retried by the client, as a real client would, and is not a promise the platform made.
final class JobLoad: Sendable {
    let queue: JobQueue
    let redis: RedisClient
    let client = HTTPClient()
    /// Accepted job ids with the time (ms since the epoch) the 201 arrived.
    private let accepted = Mutex<[(id: String, at: Int64)]>([])
    /// Submissions answered with something other than 201, by status (0: no answer).
    private let refusals = Mutex<[Int: Int]>([:])

    init(redisURL: String, namespace: String) throws {
        var logger = Logger(label: "fault-load") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        redis = RedisClient(configuration: try RedisConfiguration(url: redisURL), poolSize: 4, logger: logger)
        queue = JobQueue(
            redis: redis, configuration: QueueConfiguration(namespace: namespace), clock: SystemQueueClock(),
            logger: logger)
    }

    var acceptedJobs: [(id: String, at: Int64)] { accepted.withLock { $0 } }
    var acceptedIDs: [String] { accepted.withLock { $0.map(\.id) } }
    var refused: [Int: Int] { refusals.withLock { $0 } }

    /// The job every scenario runs: the C fixture's echo executor, which sleeps `sleepMS` and
    /// returns `{echo, job_id, attempt}`, so the stored result shows which attempt produced it.
    static func job(_ index: Int, sleepMS: Int, maxAttempts: Int) -> JSONValue {
        [
            "type": "fixture_echo", "max_attempts": .integer(Int64(maxAttempts)),
            "task_spec": ["parameters": ["message": .string("job-\(index)"), "sleep_ms": .integer(Int64(sleepMS))]],
        ]
    }

    /// Submits `count` jobs from `clients` concurrent clients (each waiting `pause` between jobs) to
    /// whatever `baseURL()` says now, retrying each until it is accepted or `giveUp` passes.
    func submit(
        count: Int, from first: Int = 0, clients: Int = 8, sleepMS: Int, maxAttempts: Int = 25,
        pause: Duration = .zero, giveUp: Duration = .seconds(120), baseURL: @escaping @Sendable () -> String
    ) async {
        let next = Counter(first)
        let end = first + count
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    while let index = next.take(below: end) {
                        await self.submitOne(
                            Self.job(index, sleepMS: sleepMS, maxAttempts: maxAttempts), key: "job-\(index)",
                            giveUp: giveUp, baseURL: baseURL)
                        // A steady trickle instead of one burst, so submissions span the fault.
                        if pause > .zero { try? await Task.sleep(for: pause) }
                    }
                }
            }
        }
    }

    /// One job, resubmitted under the same Idempotency-Key until it is accepted: a 503 or a lost
    /// answer does not prove Redis did not store it (docs/queue.md), and the key keeps it one job.
    private func submitOne(_ job: JSONValue, key: String, giveUp: Duration, baseURL: @Sendable () -> String) async {
        let deadline = ContinuousClock.now + giveUp
        while ContinuousClock.now < deadline {
            var status = 0
            if let response = try? await client.send(
                HTTPRequest.json(
                    url: "\(baseURL())/api/jobs", body: job,
                    headers: [("Idempotency-Key", key), TestTokens.header(TestTokens.submitter)],
                    timeout: .seconds(10))
            ) {
                status = response.status
                if status == 201 || status == 200, let id = (try? response.json())?["id"]?.stringValue {
                    let now = SystemQueueClock().nowMilliseconds()
                    accepted.withLock { $0.append((id, now)) }
                    return
                }
            }
            refusals.withLock { $0[status, default: 0] += 1 }
            // A refusal no fault explains (401, 403, 422, ...) will not change by retrying: give
            // up on this job at once, so a broken setup fails the scenario fast instead of
            // retrying every job for `giveUp`. The refusal counts show it.
            if (400..<500).contains(status), status != 429 { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Reads every accepted job from the queue, eight at a time; missing ones are absent.
    func records() async -> [String: JobRecord] {
        let ids = acceptedIDs
        var records: [String: JobRecord] = [:]
        for start in stride(from: 0, to: ids.count, by: 8) {
            let slice = ids[start..<min(start + 8, ids.count)]
            await withTaskGroup(of: (String, JobRecord?).self) { group in
                for id in slice { group.addTask { (id, try? await self.queue.job(id)) } }
                for await (id, record) in group { records[id] = record }
            }
        }
        return records
    }

    /// Waits until the queue holds no queued or running job any more, then reads every accepted
    /// job. Gives up after `giveUp`, or once nothing has moved for `stall` (a stuck job never will).
    func waitUntilSettled(giveUp: Duration = .seconds(180), stall: Duration = .seconds(30)) async -> [String: JobRecord]
    {
        let deadline = ContinuousClock.now + giveUp
        var last: [Int] = []
        var lastChange = ContinuousClock.now
        while ContinuousClock.now < deadline, ContinuousClock.now - lastChange < stall {
            if let stats = try? await queue.stats() {
                let open = stats.counts[.queued, default: 0] + stats.counts[.running, default: 0]
                if open == 0 { break }
                let now = [open, stats.counts[.succeeded, default: 0]]
                if now != last { (last, lastChange) = (now, ContinuousClock.now) }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return await records()
    }

    /// How many accepted jobs have succeeded, from one cheap count.
    func succeededCount() async -> Int {
        (try? await queue.stats().counts[.succeeded]) ?? -1
    }

    func shutdown() async {
        await redis.shutdown()
    }
}

/// The next job index, shared by the submitting clients.
final class Counter: Sendable {
    private let value: Mutex<Int>

    init(_ first: Int) { value = Mutex(first) }

    /// The next index, or nil once `end` is reached.
    func take(below end: Int) -> Int? {
        value.withLock { value in
            guard value < end else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
