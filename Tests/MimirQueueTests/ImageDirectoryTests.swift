import MimirCore
import MimirQueue
import Testing

@Suite("Worker image catalog in Redis")
struct ImageDirectoryTests {
    let declaration: JSONValue = ["image": "a", "capabilities": [["job_type": "x", "executor_version": "1.0.0"]]]

    @Test("declarations replace earlier ones; reports survive a withdrawn declaration; prune spares declared images")
    func declareReportPrune() async throws {
        let harness = try await QueueHarness.make()
        let images = ImageDirectory(queue: harness.queue)
        let workers = WorkerDirectory(queue: harness.queue)
        try await images.declare([("a", declaration), ("b", ["image": "b", "capabilities": []])])
        #expect(try await images.all().map(\.name) == ["a", "b"])

        let registration: JSONValue = [
            "image": "b", "slots": 2, "resources": ["gpu": 1], "host": "h",
            "capabilities": [["job_type": "y", "executor_version": "2.0.0"]],
        ]
        try await workers.register(id: "w1", document: registration)
        let b = try #require(try await images.all().first { $0.name == "b" })
        #expect(b.reported == ["capabilities": registration["capabilities"]!, "resources": ["gpu": 1], "slots": 2])
        #expect(b.reportedBy == "w1" && b.reportedAt == harness.clock.nowMilliseconds() && b.declared != nil)

        // Only "a" is declared now: "b" keeps its report, and a third, never reported, would vanish.
        try await images.declare([("a", declaration)])
        let after = try await images.all()
        #expect(after.map(\.name) == ["a", "b"])
        #expect(after.first { $0.name == "b" }?.declared == nil)
        try await images.declare([])
        #expect(try await images.all().map(\.name) == ["b"])

        try await images.declare([("a", declaration)])
        harness.clock.advance(by: .seconds(3600))
        #expect(try await images.prune(unreportedFor: .seconds(1800)) == 1)
        #expect(try await images.all().map(\.name) == ["a"])
    }
}
