import MimirCore
import MimirQueue
import MimirTestSupport
import Testing

@Suite("A worker's REST report: lines, progress or end, and the job read back in one round trip")
struct QueueWorkerReportTests {
    static func lines(_ messages: String...) -> [LogLine] {
        messages.enumerated().map { LogLine(time: Int64($0.offset + 1), level: "info", message: $0.element) }
    }

    @Test("the lines go in before the end; another worker's report appends nothing and ends nothing")
    func linesThenEnd() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit()
        _ = try #require(try await harness.queue.take(workerID: "w-1", types: ["ml_training"]))

        let stranger = await queueError {
            _ = try await harness.queue.finish(
                jobID: job.id, workerID: "w-2", outcome: .succeeded(result: nil), lines: Self.lines("not mine"))
        }
        #expect(
            stranger.map { if case .notOwner = $0 { true } else { false } } == true, "\(String(describing: stranger))")
        #expect(try await harness.queue.logs(job.id).isEmpty)
        #expect(try await harness.queue.job(job.id).status == .running)

        let (status, answered) = try await harness.queue.finish(
            jobID: job.id, workerID: "w-1",
            outcome: .failed(
                message: "column y missing", kind: .invalidInput,
                retryable: false), lines: Self.lines("read 3 rows", "column y missing"))
        #expect(status == .failed)
        #expect(try await harness.queue.logs(job.id).map(\.message) == ["read 3 rows", "column y missing"])
        let ended = try await harness.queue.job(job.id)
        #expect(ended.status == .failed && ended.error == "column y missing")
        #expect(answered == ended, "the job answered is not the job as the end left it")

        // Sent again: refused whole, the lines not appended twice.
        let again = await queueError {
            _ = try await harness.queue.finish(
                jobID: job.id, workerID: "w-1", outcome: .succeeded(result: nil), lines: Self.lines("again"))
        }
        #expect(again?.isLeaseGone == true, "\(String(describing: again))")
        #expect(try await harness.queue.logs(job.id).count == 2)
    }

    @Test("when Redis lost the function library, it is loaded again and the report goes in once")
    func libraryLost() async throws {
        // A server of its own: flushing functions would disturb other tests.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await QueueHarness.make(url: server.url)
        let job = try await harness.submit()
        _ = try #require(try await harness.queue.take(workerID: "w-1", types: ["ml_training"]))
        _ = try await harness.redis.execute(["FUNCTION", "FLUSH"])
        let ended = try await harness.queue.finish(
            jobID: job.id, workerID: "w-1", outcome: .succeeded(result: ["rows": 3]), lines: Self.lines("wrote 3 rows"))
        #expect(ended.status == .succeeded && ended.job.status == .succeeded && ended.job.result == ["rows": 3])
        #expect(try await harness.queue.logs(job.id).map(\.message) == ["wrote 3 rows"])
    }

    @Test(
        "a running report appends its lines, records progress and answers the job as they leave it; a stranger's changes nothing"
    )
    func runningReport() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit()
        _ = try #require(try await harness.queue.take(workerID: "w-1", types: ["ml_training"]))

        let stranger = await queueError {
            _ = try await harness.queue.report(
                jobID: job.id, workerID: "w-2", progress: 0.9, message: "not mine", lines: Self.lines("not mine"))
        }
        #expect(
            stranger.map { if case .notOwner = $0 { true } else { false } } == true, "\(String(describing: stranger))")
        #expect(try await harness.queue.logs(job.id).isEmpty)
        #expect(try await harness.queue.job(job.id).progress == 0)

        let answered = try await harness.queue.report(
            jobID: job.id, workerID: "w-1", progress: 0.25, message: "epoch 1 of 4", lines: Self.lines("epoch 1 done"))
        #expect(answered.progress == 0.25 && answered.progressMessage == "epoch 1 of 4" && answered.status == .running)
        #expect(answered == (try await harness.queue.job(job.id)))
        #expect(try await harness.queue.logs(job.id).map(\.message) == ["epoch 1 done"])

        // A cancel request shows in the next report's answer.
        _ = try await harness.queue.cancel(job.id)
        let told = try await harness.queue.report(
            jobID: job.id, workerID: "w-1", progress: nil, message: nil, lines: [])
        #expect(told.cancelRequested && told.progress == 0.25)
    }
}
