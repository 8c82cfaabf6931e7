import MimirCore
import MimirTwin
import Testing

@Suite("Versions and history")
struct HistoryTests {
    @Test("every commit is a version with its change set; history pages newest first")
    func paging() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        for step in 1...6 {
            harness.clock.advance(seconds: 60)
            try await harness.run(
                ["observations": [observation("s1", "temperature", .number(Double(20 + step)))]], jobID: "job-\(step)")
        }
        let first = try await harness.reader.history(twinID: "gh", limit: 3)
        #expect(first["version"] == 7 && first["oldest_version"] == 1)
        let entries = try #require(first["entries"]?.arrayValue)
        #expect(entries.map { $0["version"] } == [7, 6, 5])
        #expect(entries.map { $0["job_id"] } == ["job-6", "job-5", "job-4"])
        #expect(first["next_before"] == 5)
        let newest = try #require(entries.first)
        #expect(newest["operation"] == "update")
        #expect(newest["committed_at"] == "2024-05-01T00:06:00.000Z")
        #expect(
            newest["changes"]
                == [
                    [
                        "entity": "s1", "attribute": "temperature", "before": 25.0, "after": 26.0,
                        "timestamp": "2024-05-01T00:06:00.000Z",
                    ]
                ])
        #expect(
            newest["derived"]?.arrayValue?.compactMap { $0["attribute"]?.stringValue }.contains("avg_temperature")
                == true)

        let second = try await harness.reader.history(twinID: "gh", before: 5, limit: 3)
        #expect(second["entries"]?.arrayValue?.map { $0["version"] } == [4, 3, 2])
        let last = try await harness.reader.history(twinID: "gh", before: 2, limit: 3)
        let defineEntry = try #require(last["entries"]?.arrayValue?.first)
        #expect(defineEntry["version"] == 1 && defineEntry["operation"] == "define")
        #expect(defineEntry["entities_added"]?.arrayValue?.count == 7)
        #expect(last["next_before"] == .null)
    }

    @Test("history is trimmed to its limit; the oldest kept version is reported")
    func trimming() async throws {
        let harness = try await TwinHarness.make(historyLimit: 3)
        try await harness.defineGreenhouses()
        for step in 1...4 {
            harness.clock.advance(seconds: 60)
            try await harness.run(["observations": [observation("s2", "power", .integer(Int64(step)))]])
        }
        let page = try await harness.reader.history(twinID: "gh", limit: 10)
        #expect(page["entries"]?.arrayValue?.map { $0["version"] } == [5, 4, 3])
        #expect(page["oldest_version"] == 3 && page["next_before"] == .null)
        let missing = await twinError { _ = try await harness.reader.history(twinID: "nope") }
        #expect(missing?.description == "twin nope does not exist (create it with operation \"define\")")
    }
}
