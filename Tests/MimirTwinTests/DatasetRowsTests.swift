import MimirCore
import MimirTwin
import Testing

@Suite("Observations from dataset rows")
struct DatasetRowsTests {
    @Test("long and wide rows, CSV text coerced by attribute type, applied after the inline ones")
    func rowsBecomeObservations() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        let rows: [[String: JSONValue]] = [
            ["entity": "s1", "attribute": "temperature", "value": "21.5", "timestamp": "2024-05-01T00:00:00Z"],
            ["entity": "s2", "timestamp": "", "temperature": "23", "online": "true", "power": ""],
        ]
        let observations = try ObservationRows.observations(from: rows, valuesAreText: true, firstRowNumber: 2)
        #expect(observations.count == 3)
        #expect(observations.map(\.origin) == ["dataset row 2", "dataset row 3", "dataset row 3"])
        let result = try await harness.run(
            ["observations": [observation("s3", "temperature", 19)]], dataset: observations)
        #expect(result["observations"]?["applied"] == 4)
        #expect(try await harness.attribute("s1", "temperature") == 21.5)
        #expect(try await harness.attribute("s2", "temperature") == 23)
        #expect(try await harness.attribute("s2", "online") == true)
        #expect(try await harness.attribute("gh1", "avg_temperature")?.doubleValue == (21.5 + 23 + 19) / 3)
    }

    @Test("JSON lines; rows that are not observations are reported by line")
    func jsonLines() throws {
        let good = try ObservationRows.observations(
            jsonLines: """
                {"entity": "s1", "attribute": "temperature", "value": 20.5}

                {"entity": 7, "temperature": 19, "power": null}
                """)
        #expect(good.map(\.entity) == ["s1", "7"])
        #expect(good.map(\.value) == [20.5, 19])
        #expect(good.map(\.origin) == ["dataset line 1", "dataset line 3"])
        do {
            _ = try ObservationRows.observations(
                jsonLines: """
                    {"attribute": "temperature", "value": 1}
                    [1, 2]
                    {"entity": "s1", "attribute": "t"}
                    {"entity": "s1",
                    """)
            Issue.record("bad rows were accepted")
        } catch {
            #expect(
                error.problems.map(\.path) == ["dataset line 1", "dataset line 2", "dataset line 3", "dataset line 4"])
            #expect(error.problems[0].message == "\"entity\" is missing or empty")
            #expect(error.problems[2].message == "\"value\" is missing (write null to clear an attribute)")
        }
    }
}
