import Dispatch
import MimirCore
import MimirQueue
import MimirTestSupport
import Testing

/// `QueueSession` is a worker slot's blocking way to the queue; each test uses one on a thread of
/// its own, as a slot does.
@Suite("A worker slot's session with the queue")
struct QueueSessionTests {
    static let offer = WorkerOffer(
        executorVersions: ["ml_training": SemanticVersion(major: 1, minor: 0, patch: 0)], gpus: 0, cpuMillicores: 1000,
        memoryBytes: 1 << 30)

    @Test("a waiting slot wakes when a job of its type is submitted, not for other types")
    func wakesOnSubmit() async throws {
        let harness = try await QueueHarness.make()
        let queue = harness.queue
        let wait: @Sendable (Duration) async throws -> Bool = { timeout in
            try await OwnThread.run {
                try QueueSession(queue: queue, types: ["ml_training"]).waitForWork(upTo: timeout)
            }
        }
        #expect(try await wait(.milliseconds(50)) == false)

        try await harness.submit("ml_inference")
        #expect(try await wait(.milliseconds(50)) == false, "another type's job wakes no one here")

        // Blocked first, then the job arrives: the wait ends with a token, long before its timeout.
        let waiting = Task { try await wait(.seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        try await harness.submit("ml_training")
        #expect(try await waiting.value == true)
        #expect(try await wait(.milliseconds(50)) == false, "one token per job made ready")
    }

    @Test("wake-up tokens no one takes are capped at 1,024 per type")
    func tokensCapped() async throws {
        let harness = try await QueueHarness.make()
        let key = "\(harness.queue.configuration.namespace):wake:ml_training"
        for _ in 0..<1_030 { try await harness.submit() }
        #expect(try await harness.redis.execute(["LLEN", key]).int == 1_024)
        try await harness.submit("ml_inference")
        #expect(try await harness.redis.execute(["LLEN", key]).int == 1_024)
    }

    @Test("take, then finish with the last log lines: the lines land before the outcome, in order")
    func takeAndFinish() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        let queue = harness.queue
        let (taken, status) = try await OwnThread.run { () throws -> (JobRecord?, JobStatus?) in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            guard let job = try session.take(workerID: "w-1", offer: Self.offer) else { return (nil, nil) }
            let lines = (0..<3).map {
                LogLine(time: 1_700_000_000_000 + Int64($0), level: "info", message: "line \($0)")
            }
            let status = try session.finish(
                jobID: job.id, workerID: "w-1", outcome: .succeeded(result: ["rows": 3]), lines: lines)
            return (job, status)
        }
        #expect(taken?.id == submitted.id && taken?.status == .running && taken?.workerID == "w-1")
        #expect(status == .succeeded)
        let stored = try await harness.queue.job(submitted.id)
        #expect(stored.status == .succeeded && stored.result == ["rows": 3])
        #expect(try await harness.queue.logs(submitted.id).map(\.message) == ["line 0", "line 1", "line 2"])
    }

    @Test("a finish for a job this worker does not hold is refused, and writes no log line")
    func finishWithoutTheLease() async throws {
        let harness = try await QueueHarness.make()
        let submitted = try await harness.submit()
        _ = try #require(try await harness.queue.take(workerID: "w-other", types: ["ml_training"]))
        let queue = harness.queue
        let refusal = try await OwnThread.run { () -> String in
            do {
                _ = try QueueSession(queue: queue, types: []).finish(
                    jobID: submitted.id, workerID: "w-1", outcome: .succeeded(result: nil),
                    lines: [LogLine(time: 1, level: "info", message: "not mine")])
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal.contains("leased by worker w-other"), "\(refusal)")
        #expect(try await harness.queue.logs(submitted.id).isEmpty)
        #expect(try await harness.queue.job(submitted.id).status == .running)
    }

    @Test("a finish can take the next job along: the next take answers with it, even if the finish was refused")
    func finishTakesAlong() async throws {
        let harness = try await QueueHarness.make()
        let first = try await harness.submit()
        let second = try await harness.submit()
        let third = try await harness.submit()
        let queue = harness.queue
        let steps = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            var steps: [String] = []
            let job = try session.take(workerID: "w-1", offer: Self.offer)
            steps.append("took \(job?.id ?? "none")")
            _ = try session.finish(
                jobID: job?.id ?? "", workerID: "w-1", outcome: .succeeded(result: nil), lines: [],
                thenTakeFor: Self.offer)
            steps.append("ahead \(session.hasJobAhead)")
            let next = try session.take(workerID: "w-1", offer: Self.offer)
            steps.append("took \(next?.id ?? "none")")
            steps.append("ahead \(session.hasJobAhead)")
            // A finish the queue refuses (not this worker's job any more) still takes along.
            do {
                _ = try session.finish(
                    jobID: job?.id ?? "", workerID: "w-1", outcome: .succeeded(result: nil), lines: [],
                    thenTakeFor: Self.offer)
                steps.append("finished twice")
            } catch {
                steps.append("refused")
            }
            steps.append("took \(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")")
            // The queue is empty now: a finish that took along finds nothing, and the next take
            // answers so without asking again.
            _ = try session.finish(
                jobID: next?.id ?? "", workerID: "w-1", outcome: .succeeded(result: nil), lines: [],
                thenTakeFor: Self.offer)
            steps.append("ahead \(session.hasJobAhead)")
            steps.append("took \(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")")
            return steps
        }
        #expect(
            steps == [
                "took \(first.id)", "ahead true", "took \(second.id)", "ahead false", "refused", "took \(third.id)",
                "ahead false", "took none",
            ])
        let counts = try await harness.queue.stats().counts
        #expect(counts[.succeeded] == 2 && counts[.running] == 1, "\(counts)")
        #expect(try await harness.queue.job(third.id).workerID == "w-1")
    }

    @Test("after its connection is killed and the functions flushed, the next calls reconnect and reload")
    func recovers() async throws {
        // A server of its own: killing clients and flushing functions would disturb other tests.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        let queue = harness.queue
        let redis = harness.redis
        for _ in 0..<2 { try await harness.submit() }
        let names = try await OwnThread.run { () throws -> [String] in
            let session = QueueSession(queue: queue, types: ["ml_training"])
            var names: [String] = []
            names.append(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")
            // Everything between two calls of a slot: its connection dropped, the library gone.
            let semaphore = DispatchSemaphore(value: 0)
            Task {
                _ = try? await redis.execute(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
                _ = try? await redis.execute(["FUNCTION", "FLUSH"])
                semaphore.signal()
            }
            semaphore.wait()
            for _ in 0..<3 {
                do {
                    names.append(try session.take(workerID: "w-1", offer: Self.offer)?.id ?? "none")
                    break
                } catch QueueError.unavailable {
                    names.append("unavailable")
                }
            }
            return names
        }
        #expect(names.count >= 2 && names.first != "none" && names.last != "none", "\(names)")
        #expect(names.filter { $0 == "unavailable" }.count <= 1, "one failed call at most, then reconnected: \(names)")
        #expect(try await harness.queue.stats().counts[.running] == 2)
    }
}
