import MimirCore
import MimirTwin
import Testing

@Suite("Concurrent updates")
struct ConcurrencyTests {
    @Test("updates of one twin racing from separate connections lose nothing")
    func noLostUpdate() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        // Separate updaters, each with its own connections, as separate workers would have.
        let updaters = try await (0..<4).asyncMap { _ in
            try await TwinHarness.make(poolSize: 2, maxAttempts: 50, namespace: harness.namespace)
        }
        let sensors = ["s1", "s2", "s3", "s4", "s5"]
        // Every update writes its own attribute of its own sensor, so each one's effect is
        // visible at the end: a lost update would leave a value missing.
        let attributes = ["power", "temperature", "online", "status"]
        func value(_ attribute: String, _ index: Int) -> JSONValue {
            switch attribute {
            case "power": .integer(Int64(100 + index))
            case "temperature": .number(20 + Double(index) / 2)
            case "online": .bool(index.isMultiple(of: 2))
            default: index.isMultiple(of: 2) ? "ok" : "fault"
            }
        }
        let attempts = try await withThrowingTaskGroup(of: Int64.self) { group in
            for (round, attribute) in attributes.enumerated() {
                for (index, sensor) in sensors.enumerated() {
                    let updater = updaters[(round + index) % updaters.count].updater
                    let observed = value(attribute, index)
                    group.addTask {
                        let result = try await updater.run(
                            parameters: [
                                "twin_id": "gh",
                                "observations": [
                                    ["entity": .string(sensor), "attribute": .string(attribute), "value": observed]
                                ],
                            ],
                            jobID: "\(sensor)-\(attribute)")
                        return result["attempts"]?.int64Value ?? 0
                    }
                }
            }
            var all: [Int64] = []
            for try await attempt in group { all.append(attempt) }
            return all
        }
        let updates = sensors.count * attributes.count
        #expect(attempts.count == updates)
        let state = try await harness.reader.state(twinID: "gh")
        #expect(state["version"]?.int64Value == Int64(1 + updates))
        // Every version is in the history, each from a different job.
        let history = try await harness.reader.history(twinID: "gh", limit: 100)
        let entries = try #require(history["entries"]?.arrayValue)
        #expect(entries.map { $0["version"]?.int64Value ?? 0 } == Array((1...Int64(1 + updates)).reversed()))
        #expect(Set(entries.dropLast().compactMap { $0["job_id"]?.stringValue }).count == updates)
        for (index, sensor) in sensors.enumerated() {
            for attribute in attributes {
                #expect(state["entities"]?[sensor]?["attributes"]?[attribute] == value(attribute, index))
            }
        }
        // The parents' aggregates saw every sensor's value, whatever order the commits took.
        let gh1 = state["entities"]?["gh1"]?["attributes"]
        #expect(gh1?["total_power"] == .integer(100 + 101 + 102))
        let expectedAverage: Double = (20.0 + 20.5 + 21.0) / 3.0
        #expect(gh1?["avg_temperature"]?.doubleValue == expectedAverage)
        #expect(state["entities"]?["gh2"]?["attributes"]?["total_power"] == .integer(103 + 104))
    }

    @Test("an update that keeps losing fails clearly")
    func conflictAfterAttempts() async throws {
        let harness = try await TwinHarness.make()
        try await harness.defineGreenhouses()
        let loser = try await TwinHarness.make(maxAttempts: 1, namespace: harness.namespace)
        // Many writers against one attempt: with a single attempt some update must lose.
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<12 {
                group.addTask {
                    do {
                        _ = try await loser.updater.run(
                            parameters: [
                                "twin_id": "gh", "observations": [observation("s1", "power", .integer(Int64(index)))],
                            ], jobID: "j\(index)")
                        return "ok"
                    } catch let error as TwinError {
                        return error.description
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var all: [String] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let failures = outcomes.filter { $0 != "ok" }
        let committed = outcomes.count - failures.count
        #expect(try await harness.reader.state(twinID: "gh")["version"]?.int64Value == Int64(1 + committed))
        for failure in failures {
            #expect(
                failure == "twin gh kept changing under this update: 1 attempts each found a newer version "
                    + "when committing; nothing was committed")
        }
    }
}

extension Range where Bound == Int {
    func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for index in self { results.append(try await transform(index)) }
        return results
    }
}
