import MimirCore
import MimirRedis
import MimirTestSupport
import Testing

@testable import MimirQueue

@Suite("Single submissions made together")
struct QueueCoalescingTests {
    static func job(_ index: Int, type: String = "ml_training") -> NewJob {
        NewJob(type: type, maxAttempts: 3, spec: ["task_spec": ["index": .integer(Int64(index))]])
    }

    static func submission(_ job: NewJob, key: String? = nil, id: String = RandomUUID.make()) -> Submission {
        Submission(
            id: id, job: job, idempotencyKey: key, audit: SubmitAudit(caller: "ci", role: "admin", capacity: 100))
    }

    /// The first submission takes the one call allowed in flight at once (checked); the others
    /// then wait for their turns, queued in their order.
    static func queueBehindFirst(_ submissions: [Submission], on coalescer: SubmissionCoalescer) async throws
        -> [Task<SubmissionCoalescer.Turn, Never>]
    {
        guard case .lead(let none) = await coalescer.turn(for: submissions[0]), none.isEmpty else {
            throw QueueError.corrupt("a lone submission waited")
        }
        var waiting: [Task<SubmissionCoalescer.Turn, Never>] = []
        for index in submissions.indices.dropFirst() {
            waiting.append(Task { await coalescer.turn(for: submissions[index]) })
            while coalescer.waitingCount < index { try await Task.sleep(for: .milliseconds(1)) }
        }
        return waiting
    }

    @Test("many at once go in fewer Redis calls than jobs; each is created as if alone, with its audit entry")
    func fewerCalls() async throws {
        // A Redis of its own, so that its command counts are this test's alone.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        let count = 200
        let audit = SubmitAudit(caller: "ci", role: "admin", capacity: 1000)
        let records = try await withThrowingTaskGroup(of: JobRecord.self) { group in
            for index in 0..<count {
                group.addTask {
                    let key = index % 4 == 0 ? "key-\(index)" : nil
                    switch try await harness.queue.submit(Self.job(index), idempotencyKey: key, audit: audit) {
                    case .created(let record): return record
                    case .existing: throw QueueError.corrupt("job \(index) was not created")
                    }
                }
            }
            return try await group.reduce(into: [JobRecord]()) { $0.append($1) }
        }
        #expect(Set(records.map(\.id)).count == count)
        for record in records {
            #expect(record == (try await harness.queue.job(record.id)))
        }
        let stats = try await harness.queue.stats()
        #expect(stats.depths.first { $0.type == "ml_training" }?.ready == count)
        let entries = try await harness.redis.execute(["XLEN", "\(harness.queue.configuration.namespace):audit"])
        #expect(entries.int == Int64(count))
        let info = try await harness.redis.execute(["INFO", "commandstats"]).string ?? ""
        let calls = info.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_fcall:") }
            .flatMap { $0.split(separator: ",").first?.split(separator: "=").last }.flatMap { Int($0) }
        #expect((calls ?? .max) < count, "\(calls.map(String.init) ?? "no FCALL count") calls")
    }

    @Test("in one call each submission has the outcome it would have had alone, in order")
    func ownOutcomes() async throws {
        let harness = try await QueueHarness.make { $0.maxQueuedPerType = 2 }
        let earlier = try await harness.submit("ml_inference", key: "old")
        let taken = try await harness.submit("pipeline_execution")
        let first = Self.submission(Self.job(1), key: "same")
        let outcomes = await harness.queue.submitEach([
            first,
            Self.submission(Self.job(1), key: "same"),  // the same request again: the first's job
            Self.submission(Self.job(2), key: "same"),  // another request with its key
            Self.submission(NewJob(type: "ml_inference", maxAttempts: 3, spec: [:]), key: "old"),
            Self.submission(Self.job(3)),
            Self.submission(Self.job(4)),  // a third waiting ml_training job: the limit is 2
            Self.submission(Self.job(5, type: "digital_twin_update"), id: taken.id),
        ])
        #expect(outcomes.count == 7)
        guard case .success(.created(let created)) = outcomes[0] else {
            Issue.record("the first was not created: \(outcomes[0])")
            return
        }
        let stored = try await harness.queue.job(first.id)
        #expect(created.id == first.id && created == stored)
        guard case .success(.existing(let repeated)) = outcomes[1] else {
            Issue.record("the repeat was not answered with the first's job: \(outcomes[1])")
            return
        }
        #expect(repeated == created)
        #expect("\(outcomes[2])".contains(#"Idempotency-Key "same" was already used for a different request"#))
        guard case .success(.existing(let old)) = outcomes[3] else {
            Issue.record("an earlier call's key was not answered with its job: \(outcomes[3])")
            return
        }
        #expect(old == earlier)
        guard case .success(.created) = outcomes[4] else {
            Issue.record("the second new job was not created: \(outcomes[4])")
            return
        }
        #expect("\(outcomes[5])".contains("the ml_training queue is full: 2 jobs wait, the limit is 2"))
        #expect("\(outcomes[6])".contains("DUPLICATE \(taken.id)"))
        let stats = try await harness.queue.stats()
        #expect(stats.depths.first { $0.type == "ml_training" }?.ready == 2)
    }

    @Test("a lone submission goes at once; ones that come meanwhile wait and go together, led by the first")
    func turns() async throws {
        let coalescer = SubmissionCoalescer(callsInFlight: 1, batchLimit: 3)
        let submissions = (0..<5).map { Self.submission(Self.job($0)) }
        let waiting = try await Self.queueBehindFirst(submissions, on: coalescer)
        coalescer.handOn()
        // The longest waiting leads, with at most batchLimit submissions in its call.
        guard case .lead(let others) = await waiting[0].value else {
            Issue.record("the longest waiting did not lead")
            return
        }
        #expect(others.map(\.submission.id) == [submissions[2].id, submissions[3].id])
        for other in others { other.continuation.resume(returning: .done(.failure(.corrupt("carried")))) }
        for index in 1...2 {
            guard case .done(.failure(let error)) = await waiting[index].value else {
                Issue.record("submission \(index + 1) was not answered by the leader's call")
                return
            }
            #expect("\(error)".contains("carried"))
        }
        #expect(coalescer.waitingCount == 1)
        coalescer.handOn()
        guard case .lead(let alone) = await waiting[3].value, alone.isEmpty else {
            Issue.record("the last one did not lead alone")
            return
        }
        coalescer.handOn()
        guard case .lead(let next) = await coalescer.turn(for: submissions[0]), next.isEmpty else {
            Issue.record("a submission waited with no call in flight")
            return
        }
    }

    @Test("when a call finds Redis away, every submission waiting is answered with its error at once")
    func failWaiting() async throws {
        let coalescer = SubmissionCoalescer(callsInFlight: 1, batchLimit: 2)
        let submissions = (0..<4).map { Self.submission(Self.job($0)) }
        let waiting = try await Self.queueBehindFirst(submissions, on: coalescer)
        let away = RedisError(kind: .timeout, server: "127.0.0.1:1", command: "FCALL", reason: "no reply in 5 s")
        coalescer.failWaiting(.unavailable(away))
        coalescer.handOn()
        // All three, not only the first batch of two.
        for task in waiting {
            guard case .done(.failure(let error)) = await task.value else {
                Issue.record("a waiting submission was not failed with the call")
                return
            }
            #expect("\(error)".contains("no reply in 5 s"))
        }
        guard case .lead(let none) = await coalescer.turn(for: submissions[0]), none.isEmpty else {
            Issue.record("the call's place was not freed")
            return
        }
    }

    @Test("with Redis silent, only the calls in flight reach it: the submissions waiting behind them fail with them")
    func outage() async throws {
        // A Redis of its own, frozen (SIGSTOP) so that calls hang, and a one-second timeout.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        var configuration = try RedisConfiguration(url: server.url)
        configuration.commandTimeout = .seconds(1)
        let redis = RedisClient(configuration: configuration, poolSize: 2, logger: quietLogger)
        let queue = JobQueue(
            redis: redis, configuration: QueueConfiguration(namespace: "outage"), clock: SystemQueueClock(),
            logger: quietLogger)
        try await queue.prepare()
        server.freeze()
        let count = 1000
        let failures = await withTaskGroup(of: String?.self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        _ = try await queue.submit(Self.job(index))
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
        }
        server.thaw()
        #expect(failures.count == count)
        #expect(failures.allSatisfy { $0.contains("the queue's Redis is unavailable") }, "\(failures.prefix(3))")
        // Commands sent before the freeze ended still ran once Redis woke: only the four calls that
        // were in flight, not batches of the ones that waited behind them.
        let info = try await redis.execute(["INFO", "commandstats"]).string ?? ""
        let calls = info.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_fcall:") }
            .flatMap { $0.split(separator: ",").first?.split(separator: "=").last }.flatMap { Int($0) }
        #expect((1...5).contains(calls ?? 0), "\(calls.map(String.init) ?? "no") FCALLs reached Redis")
        let created = try await redis.execute(["ZCARD", "outage:jobs"]).int ?? -1
        #expect(created <= 5, "\(created) jobs were written after the outage")
    }
}
