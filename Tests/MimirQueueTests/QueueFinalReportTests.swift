import MimirCore
import MimirQueue
import MimirTestSupport
import Testing

@Suite("A final report's lines and end in one round trip")
struct QueueFinalReportTests {
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

        let status = try await harness.queue.finish(
            jobID: job.id, workerID: "w-1",
            outcome: .failed(
                message: "column y missing", kind: .invalidInput,
                retryable: false), lines: Self.lines("read 3 rows", "column y missing"))
        #expect(status == .failed)
        #expect(try await harness.queue.logs(job.id).map(\.message) == ["read 3 rows", "column y missing"])
        let ended = try await harness.queue.job(job.id)
        #expect(ended.status == .failed && ended.error == "column y missing")

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
        let status = try await harness.queue.finish(
            jobID: job.id, workerID: "w-1", outcome: .succeeded(result: ["rows": 3]), lines: Self.lines("wrote 3 rows"))
        #expect(status == .succeeded)
        #expect(try await harness.queue.logs(job.id).map(\.message) == ["wrote 3 rows"])
    }
}
