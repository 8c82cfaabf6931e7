import MimirCore
import MimirTwin
import Testing

@Suite("What-if")
struct WhatIfTests {
    @Test("what-if returns the diff, derived values and anomalies, and commits nothing")
    func nothingCommitted() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        harness.clock.advance(seconds: 60)
        try await harness.run([
            "observations": [observation("s1", "temperature", 20), observation("s2", "temperature", 22)]
        ])
        let before = try await harness.reader.state(twinID: "gh")
        let historyBefore = try await harness.reader.history(twinID: "gh")
        let recentBefore = try await harness.entity("s1")

        harness.clock.advance(seconds: 60)
        let result = try await harness.run([
            "what_if": true,
            "observations": [observation("s1", "temperature", 55), observation("s3", "temperature", 24)],
        ])
        #expect(result["committed"] == false && result["what_if"] == true)
        #expect(result["version"] == 2 && result["base_version"] == 2)
        #expect(
            result["changes"]
                == [
                    [
                        "entity": "s1", "attribute": "temperature", "before": 20, "after": 55,
                        "timestamp": "2024-05-01T00:02:00.000Z",
                    ],
                    [
                        "entity": "s3", "attribute": "temperature", "before": nil, "after": 24,
                        "timestamp": "2024-05-01T00:02:00.000Z",
                    ],
                ])
        let derived = try #require(result["derived"]?.arrayValue)
        let average = derived.first { $0["entity"] == "gh1" && $0["attribute"] == "avg_temperature" }
        #expect(average?["before"] == 21.0)
        let expectedAverage: Double = (55.0 + 22.0 + 24.0) / 3.0
        #expect(average?["after"]?.doubleValue == expectedAverage)
        #expect(result["anomalies"]?.arrayValue?.map { $0["kind"] } == ["above_max"])

        // Nothing moved: state, version, history, recent values.
        let after = try await harness.reader.state(twinID: "gh")
        #expect(after["version"] == before["version"])
        #expect(after["entities"] == before["entities"])
        #expect(try await harness.reader.history(twinID: "gh") == historyBefore)
        #expect(try await harness.entity("s1") == recentBefore)
    }

    @Test("what-if define describes the twin without creating it")
    func whatIfDefine() async throws {
        let harness = try await TwinHarness.make()
        let result = try await harness.run([
            "operation": "define", "what_if": true, "schema": Fixtures.greenhouseSchema,
            "entities": [["id": "gh1", "type": "Greenhouse"]],
        ])
        #expect(result["committed"] == false && result["entities_added"] == ["gh1"])
        let missing = await twinError { _ = try await harness.reader.state(twinID: "gh") }
        #expect(missing.map { "\($0)" } == "twin gh does not exist (create it with operation \"define\")")
    }
}
