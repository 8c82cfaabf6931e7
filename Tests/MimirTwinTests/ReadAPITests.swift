import MimirCore
import MimirRedis
import MimirTestSupport
import MimirTwin
import Testing

@Suite("Read API documents")
struct ReadAPITests {
    @Test("current state: schema, version, entities")
    func state() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        let state = try await harness.reader.state(twinID: "gh")
        #expect(state["twin_id"] == "gh" && state["version"] == 1)
        #expect(state["created_at"] == "2024-05-01T00:00:00.000Z" && state["updated_at"] == state["created_at"])
        #expect(state["schema"] == Fixtures.greenhouseSchema)
        #expect(state["entities"]?.objectValue?.keys.sorted() == ["gh1", "gh2", "s1", "s2", "s3", "s4", "s5"])
        #expect(
            state["entities"]?["gh2"]
                == [
                    "id": "gh2", "type": "Greenhouse",
                    "attributes": [
                        "name": "South", "setpoint": 22, "sensor_count": 2, "reporting": 0, "total_power": 0,
                    ],
                    "observed_at": [
                        "name": "2024-05-01T00:00:00.000Z", "setpoint": "2024-05-01T00:00:00.000Z",
                        "sensor_count": "2024-05-01T00:00:00.000Z", "reporting": "2024-05-01T00:00:00.000Z",
                        "total_power": "2024-05-01T00:00:00.000Z",
                    ],
                    "relationships": ["sensors": ["s4", "s5"]],
                ])
    }

    @Test("one entity: attributes, relationships, recent values newest first, derived names")
    func entity() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        for value in [18.0, 19.0, 20.0] {
            harness.clock.advance(seconds: 60)
            try await harness.run(["observations": [observation("s4", "temperature", .number(value))]])
        }
        let document = try await harness.reader.entity(twinID: "gh", entityID: "s4", recent: 2)
        #expect(document["twin_id"] == "gh" && document["version"] == 4)
        #expect(document["derived_attributes"] == ["delta"])
        #expect(document["entity"]?["attributes"] == ["temperature": 20.0, "delta": -2.0])
        #expect(document["entity"]?["relationships"] == ["greenhouse": ["gh2"]])
        #expect(
            document["recent"]?["temperature"]
                == [
                    ["value": 20.0, "timestamp": "2024-05-01T00:03:00.000Z", "version": 4],
                    ["value": 19.0, "timestamp": "2024-05-01T00:02:00.000Z", "version": 3],
                ])
        let missing = await twinError { _ = try await harness.reader.entity(twinID: "gh", entityID: "s404") }
        #expect(missing?.description == "twin gh has no entity s404")
    }

    @Test("a library load Redis refuses for now (out of memory) is an outage, not a broken Redis")
    func libraryLoadRefusedForNow() async throws {
        // A server of its own: this one runs out of memory.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        let harness = try await TwinHarness.make(url: server.url)
        _ = try await harness.redis.execute(["CONFIG", "SET", "maxmemory", "1"])
        var outcome = "loaded"
        do {
            try await harness.updater.store.prepare()
        } catch .unavailable(let error) {
            outcome = "unavailable: \(error)"
        } catch {
            outcome = "\(error)"
        }
        #expect(outcome.hasPrefix("unavailable") && outcome.contains("OOM"), "\(outcome)")
    }

    @Test("keys follow the documented layout, and the function library loads itself when missing")
    func keysAndLibrary() async throws {
        // A server of its own: deleting the library on the shared one would race the other tests.
        let server = try await RedisServer.start()
        let harness = try await TwinHarness.make(url: server.url)
        try await harness.updater.store.prepare()
        _ = try await harness.redis.execute(["FUNCTION", "DELETE", "mimir_twin"])
        try await harness.defineGreenhouses()
        try await harness.run(["observations": [observation("s1", "temperature", 21)]])
        let keys = TwinKeys(namespace: harness.namespace, twinID: "gh")
        #expect(try await harness.redis.execute(["HGET", keys.meta, "version"]).string == "2")
        #expect(try await harness.redis.execute(["HLEN", keys.entities]).int == 7)
        #expect(try await harness.redis.execute(["HLEN", keys.history]).int == 2)
        #expect(
            try await harness.redis.execute(["LLEN", keys.recent(entity: "s1", attribute: "temperature")]).int == 1)
        let twins = try await harness.redis.execute(["SMEMBERS", TwinKeys.index(namespace: harness.namespace)])
        #expect(twins.array?.compactMap(\.string) == ["gh"])
    }
}
