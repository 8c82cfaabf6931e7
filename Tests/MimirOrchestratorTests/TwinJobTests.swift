import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// `digital_twin_update` jobs run by a real worker with the real DigitalTwinUpdate plugin, against
/// the queue's Redis, and read back through the orchestrator's `/api/twins` routes.
@Suite("Digital twin jobs end to end")
struct TwinJobTests {
    static let schema: JSONValue = [
        "entity_types": [
            "Greenhouse": [
                "attributes": [
                    "setpoint": ["type": "number", "anomaly": false],
                    "avg_temperature": ["type": "number", "derived": "avg(sensors.temperature)"],
                ],
                "relationships": ["sensors": ["target": "Sensor", "cardinality": "many", "inverse": "greenhouse"]],
            ],
            "Sensor": [
                "attributes": ["temperature": ["type": "number", "min": -10, "max": 50]],
                "relationships": ["greenhouse": ["target": "Greenhouse", "cardinality": "one"]],
            ],
        ]
    ]

    func twinJob(_ parameters: JSONValue, dataset: String? = nil) -> JSONValue {
        var job: [String: JSONValue] = [
            "type": "digital_twin_update", "project_id": "demo", "task_spec": ["parameters": parameters],
        ]
        if let dataset { job["data_access"] = ["input_datasets": [.string(dataset)]] }
        return .object(job)
    }

    @Test("define, update inline and from a CSV dataset, what-if, a rejected batch; the API shows state and history")
    func twinLifecycle() async throws {
        let root = try StorageRoot()
        try root.write(
            "datasets/readings.csv",
            "entity,attribute,value,timestamp\r\ns1,temperature,24,2026-01-01T00:10:00Z\r\ns2,temperature,26,2026-01-01T00:10:00Z\r\n"
        )
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let worker = try shippedWorker(api, id: "w-twin", root: root, plugins: ["DigitalTwinUpdate"])
        func run(_ job: JSONValue) async throws -> JSONValue {
            let id = try await api.submit(job)
            return try await api.poll(id, seconds: 30, until: isFinal)
        }

        let defined = try await run(
            twinJob([
                "twin_id": "gh", "operation": "define", "schema": Self.schema,
                "entities": [
                    ["id": "gh1", "type": "Greenhouse", "attributes": ["setpoint": 21]],
                    ["id": "s1", "type": "Sensor", "relationships": ["greenhouse": "gh1"]],
                    ["id": "s2", "type": "Sensor", "relationships": ["greenhouse": "gh1"]],
                ],
            ]))
        #expect(defined["status"] == "succeeded" && defined["result"]?["version"] == 1, "\(defined)\n\(worker.log)")

        let inline = try await run(
            twinJob([
                "twin_id": "gh",
                "observations": [
                    ["entity": "s1", "attribute": "temperature", "value": 20, "timestamp": "2026-01-01T00:00:00Z"],
                    ["entity": "s2", "attribute": "temperature", "value": 22, "timestamp": "2026-01-01T00:00:00Z"],
                ],
            ]))
        #expect(inline["status"] == "succeeded" && inline["result"]?["version"] == 2, "\(inline)")
        let fromFile = try await run(twinJob(["twin_id": "gh"], dataset: "readings.csv"))
        #expect(fromFile["status"] == "succeeded" && fromFile["result"]?["version"] == 3, "\(fromFile)\n\(worker.log)")

        let whatIf = try await run(
            twinJob([
                "twin_id": "gh", "what_if": true,
                "observations": [["entity": "s1", "attribute": "temperature", "value": 60]],
            ]))
        #expect(whatIf["status"] == "succeeded" && whatIf["result"]?["committed"] == false, "\(whatIf)")
        #expect(whatIf["result"]?["anomalies"]?.arrayValue?.first?["kind"] == "above_max")

        let rejected = try await run(
            twinJob([
                "twin_id": "gh",
                "observations": [
                    ["entity": "s1", "attribute": "temperature", "value": 23],
                    ["entity": "s1", "attribute": "temperature", "value": "warm"],
                ],
            ]))
        #expect(rejected["status"] == "failed" && rejected["error_kind"] == "invalid_input", "\(rejected)")
        #expect(rejected["error"]?.stringValue?.contains("1 invalid observation(s)") == true, "\(rejected)")

        let state = try #require(try await api.call(.get, "/api/twins/gh", template: "/api/twins/{id}").json)
        #expect(state["version"] == 3, "what-if and the rejected batch committed nothing: \(state)")
        #expect(state["entities"]?["s1"]?["attributes"]?["temperature"] == 24)
        #expect(state["entities"]?["gh1"]?["attributes"]?["avg_temperature"]?.doubleValue == 25.0)
        let history = try await api.call(.get, "/api/twins/gh/history?limit=2", template: "/api/twins/{id}/history")
        #expect(history.json?["entries"]?.arrayValue?.map { $0["version"] } == [3, 2])
        #expect(history.json?["next_before"] == 2)
        let entity = try await api.call(
            .get, "/api/twins/gh/entities/s2", template: "/api/twins/{id}/entities/{entity}")
        #expect(entity.json?["recent"]?["temperature"]?.arrayValue?.map { $0["value"] } == [26, 22])

        #expect(try await api.call(.get, "/api/twins/nope", template: "/api/twins/{id}").status == 404)
        let missing = try await api.call(
            .get, "/api/twins/gh/entities/s9", template: "/api/twins/{id}/entities/{entity}")
        #expect(missing.status == 404)
        let bad = try await api.call(.get, "/api/twins/gh/history?limit=0", template: "/api/twins/{id}/history")
        #expect(bad.status == 400 && bad.json?["error"]?["code"] == "invalid_query")
    }
}
