import MimirCore
import MimirQueue
import Testing

@Suite("Waking idle workers")
struct WorkSignalTests {
    @Test("a waiting worker wakes when a job of its type is submitted, not for other types")
    func wakesOnSubmit() async throws {
        let harness = try await QueueHarness.make()
        let signal = WorkSignal(queue: harness.queue, types: ["ml_training"])
        defer { Task { await signal.shutdown() } }
        #expect(try await signal.wait(upTo: .milliseconds(50)) == false)

        try await harness.submit("ml_inference")
        #expect(try await signal.wait(upTo: .milliseconds(50)) == false, "another type's job wakes no one here")

        // Blocked first, then the job arrives: the wait ends with a token, long before its timeout.
        let waiting = Task { try await signal.wait(upTo: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        try await harness.submit("ml_training")
        #expect(try await waiting.value == true)
        #expect(try await signal.wait(upTo: .milliseconds(50)) == false, "one token per job made ready")
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
}
