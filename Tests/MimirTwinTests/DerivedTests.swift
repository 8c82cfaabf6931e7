import MimirCore
import MimirTwin
import Testing

@Suite("Derived attributes")
struct DerivedTests {
    /// What the twin should compute, worked out here independently of it.
    private func expectedAggregates(_ temperatures: [Double?]) -> (avg: Double?, min: Double?, max: Double?, count: Int)
    {
        let present = temperatures.compactMap { $0 }
        guard !present.isEmpty else { return (nil, nil, nil, 0) }
        var total = 0.0
        for value in present { total += value }
        return (total / Double(present.count), present.min(), present.max(), present.count)
    }

    @Test("a parent's average, min, max and count of its children follow every update")
    func parentAggregates() async throws {
        let harness = try await TwinHarness.make()
        let defined = try await harness.defineGreenhouses()
        #expect(defined["version"] == 1 && defined["entities_added"]?.arrayValue?.count == 7)
        #expect(try await harness.attribute("gh1", "sensor_count") == 3)
        #expect(try await harness.attribute("gh1", "avg_temperature") == nil)

        var readings: [String: Double?] = ["s1": nil, "s2": nil, "s3": nil]
        for (step, batch) in [[("s1", 20.5), ("s2", 22.25)], [("s3", 17.0)], [("s1", 19.75), ("s3", 18.5)]].enumerated()
        {
            harness.clock.advance(seconds: 60)
            let result = try await harness.run(
                ["observations": .array(batch.map { observation($0.0, "temperature", .number($0.1)) })],
                jobID: "step-\(step)")
            for (sensor, value) in batch { readings[sensor] = value }
            let expected = expectedAggregates(["s1", "s2", "s3"].map { readings[$0] ?? nil })
            let state = try await harness.reader.state(twinID: "gh")
            let gh1 = try #require(state["entities"]?["gh1"]?["attributes"])
            let average = try #require(gh1["avg_temperature"]?.doubleValue)
            #expect(abs(average - (expected.avg ?? .nan)) < 1e-9)
            #expect(gh1["min_temperature"]?.doubleValue == expected.min)
            #expect(gh1["max_temperature"]?.doubleValue == expected.max)
            #expect(gh1["reporting"]?.int64Value == Int64(expected.count))
            // The other greenhouse was not touched.
            #expect(state["entities"]?["gh2"]?["attributes"]?["avg_temperature"] == nil)
            let derived = result["derived"]?.arrayValue ?? []
            #expect(derived.contains { $0["entity"] == "gh1" && $0["attribute"] == "avg_temperature" })
            #expect(!derived.contains { $0["entity"] == "gh2" })
        }
        // too_hot reads avg_temperature (derived) and setpoint: computed after it.
        #expect(try await harness.attribute("gh1", "too_hot") == false)
        harness.clock.advance(seconds: 60)
        try await harness.run(["observations": [observation("gh1", "setpoint", 10)]])
        #expect(try await harness.attribute("gh1", "too_hot") == true)
        // Each sensor's delta reads its greenhouse's setpoint through a to-one relationship.
        #expect(try await harness.attribute("s1", "delta") == 9.75)
    }

    @Test("sum of integers stays exact; moving a child updates both parents")
    func sumAndMove() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        try await harness.run([
            "observations": [
                observation("s1", "power", 100), observation("s2", "power", 250), observation("s4", "power", 40),
                observation("s1", "temperature", 30), observation("s4", "temperature", 10),
            ]
        ])
        #expect(try await harness.attribute("gh1", "total_power") == 350)
        #expect(try await harness.attribute("gh2", "total_power") == 40)

        harness.clock.advance(seconds: 60)
        let moved = try await harness.run([
            "entities": [["id": "s1", "type": "Sensor", "relationships": ["greenhouse": "gh2"]]]
        ])
        #expect(
            moved["relationship_changes"]
                == [
                    [
                        "entity": "gh1", "relationship": "sensors", "before": ["s1", "s2", "s3"],
                        "after": ["s2", "s3"],
                    ],
                    [
                        "entity": "gh2", "relationship": "sensors", "before": ["s4", "s5"],
                        "after": ["s1", "s4", "s5"],
                    ],
                    ["entity": "s1", "relationship": "greenhouse", "before": ["gh1"], "after": ["gh2"]],
                ])
        #expect(try await harness.attribute("gh1", "total_power") == 250)
        #expect(try await harness.attribute("gh2", "total_power") == 140)
        #expect(try await harness.attribute("gh1", "sensor_count") == 2)
        #expect(try await harness.attribute("gh2", "avg_temperature") == 20.0)
        let gh1 = try await harness.entity("gh1")
        #expect(gh1["entity"]?["attributes"]?["avg_temperature"] == nil, "\(gh1)")
        // s1's delta now reads gh2's setpoint (22).
        #expect(try await harness.attribute("s1", "delta") == 8)
    }

    @Test("a derived value that cannot be computed is stored as null with a warning")
    func evaluationFailure() async throws {
        let harness = try await TwinHarness.make()
        try await harness.run([
            "twin_id": "ratio", "operation": "define",
            "schema": [
                "entity_types": [
                    "Tank": [
                        "attributes": [
                            "level": ["type": "number"], "capacity": ["type": "number"],
                            "fill": ["type": "number", "derived": "level / capacity"],
                        ]
                    ]
                ]
            ],
            "entities": [["id": "t1", "type": "Tank", "attributes": ["level": 5, "capacity": 10]]],
        ])
        let state = try await harness.reader.state(twinID: "ratio")
        #expect(state["entities"]?["t1"]?["attributes"]?["fill"] == 0.5)
        let result = try await harness.run([
            "twin_id": "ratio", "observations": [observation("t1", "capacity", 0)],
        ])
        #expect(
            result["warnings"]?.arrayValue?.first?.stringValue?.hasPrefix("Tank.fill of t1 = level / capacity:") == true
        )
        #expect(
            result["derived"] == [
                [
                    "entity": "t1", "attribute": "fill", "before": 0.5, "after": nil,
                    "timestamp": "2024-05-01T00:00:00.000Z",
                ]
            ])
    }
}
