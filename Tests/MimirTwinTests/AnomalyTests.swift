import MimirCore
import MimirTwin
import Testing

@Suite("Anomaly detection")
struct AnomalyTests {
    /// A steady history around 20 °C: mean 20, population deviation 0.5.
    private let normal: [Double] = [19.5, 20.5, 19.5, 20.5, 19.5, 20.5, 19.5, 20.5]

    private func feed(_ harness: TwinHarness, _ values: [Double], sensor: String = "s1") async throws -> [JSONValue] {
        var anomalies: [JSONValue] = []
        for value in values {
            harness.clock.advance(seconds: 60)
            let result = try await harness.run(["observations": [observation(sensor, "temperature", .number(value))]])
            anomalies += result["anomalies"]?.arrayValue ?? []
        }
        return anomalies
    }

    @Test("an outlier after a normal history is flagged with its z-score; normal values are not")
    func zScoreOutlier() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        #expect(try await feed(harness, normal).isEmpty)
        #expect(try await feed(harness, [21.2, 19.0]).isEmpty)  // |z| ≤ 3 against the history so far

        harness.clock.advance(seconds: 60)
        let result = try await harness.run(["observations": [observation("s1", "temperature", 24)]])
        let anomalies = try #require(result["anomalies"]?.arrayValue)
        #expect(anomalies.count == 1)
        let anomaly = try #require(anomalies.first)
        // Independent computation over the ten stored values.
        let history = normal + [21.2, 19.0]
        let mean = history.reduce(0, +) / Double(history.count)
        let stddev = (history.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(history.count)).squareRoot()
        #expect(anomaly["kind"] == "z_score" && anomaly["entity"] == "s1" && anomaly["attribute"] == "temperature")
        #expect(anomaly["value"] == 24.0 && anomaly["threshold"] == 3.0)
        #expect(abs((anomaly["mean"]?.doubleValue ?? 0) - mean) < 1e-9)
        #expect(abs((anomaly["stddev"]?.doubleValue ?? 0) - stddev) < 1e-9)
        #expect(abs((anomaly["z"]?.doubleValue ?? 0) - (24 - mean) / stddev) < 1e-9)
        // Stored with its version.
        let history3 = try await harness.reader.history(twinID: "gh", limit: 1)
        #expect(history3["entries"]?.arrayValue?.first?["anomalies"] == .array(anomalies))
        // Another sensor has its own history: a first value is never an outlier.
        #expect(try await feed(harness, [35], sensor: "s2").isEmpty)
    }

    @Test("no z-score before the minimum history; min/max rules apply from the first value")
    func bounds() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        let early = try await feed(harness, [20, 20, 21, 45])
        #expect(early.isEmpty)  // four values: fewer than min_history (5)
        let low = try await feed(harness, [-12], sensor: "s3")
        #expect(low.map { $0["kind"] } == ["below_min"])
        #expect(low.first?["threshold"] == -10.0 && low.first?["value"] == -12.0)
        // Within one batch, each value is judged against the values before it.
        harness.clock.advance(seconds: 60)
        let batch = try await harness.run([
            "observations": .array(
                (normal + [60]).enumerated().map { index, value in
                    observation("s4", "temperature", .number(value), at: "2024-05-02T00:00:0\(index)Z")
                })
        ])
        let kinds = (batch["anomalies"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }.sorted()
        #expect(kinds == ["above_max", "z_score"])
        #expect(batch["changes"]?.arrayValue?.first?["observations"] == 9)
    }
}
