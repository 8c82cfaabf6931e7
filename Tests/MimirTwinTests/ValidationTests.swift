import MimirCore
import MimirTwin
import Testing

@Suite("Observation validation")
struct ValidationTests {
    private let badBatch: JSONValue = [
        observation("s1", "temperature", 21.5),
        observation("s9", "temperature", 20),
        observation("s1", "temprature", 20),
        observation("s1", "temperature", "hot"),
        observation("s1", "status", "broken"),
        observation("s1", "online", true, at: "yesterday"),
        observation("gh1", "avg_temperature", 3),
        observation("s2", "temperature", 80),
    ]

    @Test("reject: one bad observation refuses the batch, and the report lists each with its index")
    func rejectReportsEveryProblem() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        let error = await twinError { try await harness.run(["observations": badBatch]) }
        guard case .invalidObservations(let twinID, let problems) = error else {
            Issue.record("expected invalid observations, got \(String(describing: error))")
            return
        }
        #expect(twinID == "gh")
        #expect(problems.map(\.index) == [1, 2, 3, 4, 5, 6])
        #expect(
            problems.map(\.kind) == [
                .unknownEntity, .unknownAttribute, .wrongType, .notAllowed, .badTimestamp, .derivedAttribute,
            ])
        #expect(problems[2].message == "temperature is a number, not the string \"hot\"")
        #expect(problems[3].message == "\"broken\" is not one of \"ok\", \"fault\"")
        #expect(
            problems[0].description == "observation 1 (observations[1]) s9.temperature: the twin has no entity \"s9\"")
        #expect(error?.report?["rejected"]?.arrayValue?.count == 6)
        #expect(error?.isInvalidInput == true)
        // Nothing was applied: the version is the define's.
        #expect(try await harness.reader.state(twinID: "gh")["version"] == 1)
        #expect(try await harness.attribute("s1", "temperature") == nil)
    }

    @Test("skip: the valid observations apply and the skipped ones are reported; out of range is an anomaly")
    func skipAppliesTheRest() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        let result = try await harness.run(["observations": badBatch, "on_invalid": "skip"])
        #expect(result["committed"] == true && result["version"] == 2)
        #expect(result["observations"] == ["received": 8, "applied": 2, "skipped": 6, "stale": 0])
        #expect(result["skipped"]?.arrayValue?.compactMap { $0["index"]?.int64Value } == [1, 2, 3, 4, 5, 6])
        #expect(try await harness.attribute("s1", "temperature") == 21.5)
        // 80 is above the declared max: stored, and flagged.
        #expect(try await harness.attribute("s2", "temperature") == 80)
        let anomalies = try #require(result["anomalies"]?.arrayValue)
        #expect(anomalies.map { $0["kind"] } == ["above_max"])
        #expect(anomalies.first?["threshold"] == 50.0 && anomalies.first?["entity"] == "s2")
    }

    @Test("timestamps, enums and timestamps-as-values are normalised; older observations do not win")
    func valuesAndTimes() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        let result = try await harness.run([
            "observations": [
                observation("s1", "last_service", "2024-04-30T10:00:00+02:00"),
                observation("s1", "status", "fault", at: "2024-05-01T12:00:00Z"),
                observation("s1", "status", "ok", at: "2024-05-01T11:00:00Z"),
                observation("s3", "temperature", 18, at: "2024-05-01T09:00:00.250Z"),
            ]
        ])
        #expect(try await harness.attribute("s1", "last_service") == "2024-04-30T08:00:00.000Z")
        // Applied in time order within the batch: 11:00 then 12:00, so "fault" is current.
        #expect(try await harness.attribute("s1", "status") == "fault")
        #expect(result["stale"] == [])
        let late = try await harness.run([
            "observations": [observation("s1", "status", "ok", at: "2024-05-01T11:30:00Z")]
        ])
        #expect(try await harness.attribute("s1", "status") == "fault")
        #expect(late["committed"] == false)
        #expect(late["stale"]?.arrayValue?.first?["current_timestamp"] == "2024-05-01T12:00:00.000Z")
        let s3 = try await harness.entity("s3")
        #expect(s3["entity"]?["observed_at"]?["temperature"] == "2024-05-01T09:00:00.250Z")
    }

    @Test("bad parameters and bad entities are reported with their paths")
    func parameterProblems() async throws {
        let harness = try await TwinHarness.make()
        let error = await twinError {
            try await harness.run(["operation": "define", "what_if": "yes", "schema": ["entity_types": [:]]])
        }
        #expect(
            error?.description == """
                invalid twin job parameters:
                  - schema.entity_types: required: an object of one or more entity types
                  - what_if: true or false
                """)
        try await harness.defineGreenhouses()
        let entities = await twinError {
            try await harness.run([
                "entities": [
                    ["id": "s6", "type": "Sensor", "relationships": ["greenhouse": ["gh1", "gh2"]]],
                    ["id": "s7", "type": "Sensor", "relationships": ["greenhouse": "s1"]],
                    ["id": "gh1", "type": "Sensor"],
                    ["id": "x", "type": "Pump"],
                    ["id": "s8", "type": "Sensor", "attributes": ["temperature": "warm"]],
                ]
            ])
        }
        #expect(
            entities?.description == """
                invalid twin job parameters:
                  - entities[2].type: entity "gh1" exists as a Greenhouse
                  - entities[3].type: unknown entity type "Pump" (Greenhouse, Sensor)
                  - entities[0].relationships.greenhouse: Sensor.greenhouse links to one Greenhouse, not 2
                  - entities[1].relationships.greenhouse: "s1" is a Sensor, not a Greenhouse
                  - entities[4].attributes.temperature: temperature is a number, not the string "warm"
                """)
        let missing = await twinError { try await harness.run(["twin_id": "nope", "observations": []]) }
        #expect(missing?.description == "twin nope does not exist (create it with operation \"define\")")
        let again = await twinError { try await harness.defineGreenhouses() }
        #expect(again?.description == "twin gh already exists (version 1); change it with operation \"update\"")
    }
}
