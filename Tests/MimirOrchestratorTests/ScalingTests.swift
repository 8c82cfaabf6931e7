import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// The scaler with the local backend: real orchestrator, real `mimir-worker` processes it starts.
@Suite("Scaling local workers")
struct ScalingTests {
    /// `mimir-worker declare` of a plugin folder, with scaling fields added.
    static func declaration(image: String, plugins: String, extra: [String: JSONValue]) async throws -> JSONValue {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("declare-\(UUID().uuidString)").path
        let declare = try SpawnedProcess(
            executable: BuildProducts.path("mimir-worker"),
            arguments: ["declare", "--plugin-dir", plugins, "--image", image, "--slots", "1"], outputPath: output)
        await declare.waitForExit()
        var fields = try JSONValue.parse(try String(contentsOfFile: output, encoding: .utf8)).objectValue ?? [:]
        fields["plugin_dir"] = .string(plugins)
        for (key, value) in extra { fields[key] = value }
        return .object(fields)
    }

    @Test(
        "a burst scales the image that serves it to its cap, counting starting workers; idle ones retire to MIN_WORKERS"
    )
    func burstAndDrain() async throws {
        let fixtures = try WorkerProcess.fixtures.get()
        let images: JSONValue = [
            "images": [
                try await Self.declaration(image: "echo-img", plugins: fixtures, extra: ["max_workers": 3]),
                try await Self.declaration(
                    image: "pipeline-img", plugins: try WorkerProcess.shippedPlugins(["PipelineExecution"]),
                    extra: ["max_workers": 2]),
            ]
        ]
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("workers-\(UUID().uuidString)").path
        let api = try await APIHarness.start([
            "--worker-images", try ImageCatalogTests.write(images), "--worker-backend", "local",
            "--min-workers", "1", "--max-workers", "10", "--queue-threshold", "4",
            "--scaler-interval-seconds", "0.2", "--worker-idle-timeout-seconds", "2", "--worker-log-dir", logs,
        ])
        defer { Task { await api.stop() } }
        func scaling() async throws -> JSONValue { try await api.call(.get, "/api/scaling").json ?? .null }
        func liveWorkers(_ image: String) async throws -> Int {
            let workers = try await api.call(.get, "/api/workers").json?["workers"]?.arrayValue ?? []
            return workers.filter { $0["image"] == .string(image) && $0["status"] != "lost" }.count
        }

        // MIN_WORKERS: one worker of the default image (the one serving the most job types).
        for _ in 0..<200 where try await liveWorkers("echo-img") < 1 { try await Task.sleep(for: .milliseconds(100)) }
        let atStart = try await scaling()
        #expect(try await liveWorkers("echo-img") == 1, "\(atStart)")

        var ids: [String] = []
        for index in 0..<12 {
            ids.append(
                try await api.submit([
                    "type": "fixture_echo",
                    "task_spec": ["parameters": ["message": .string("m\(index)"), "sleep_ms": 1500]],
                ]))
        }
        for id in ids {
            let job = try await api.poll(id, seconds: 60, until: isFinal)
            #expect(job["status"] == "succeeded", "\(job)")
        }
        let afterBurst = try await scaling()
        let launched = afterBurst["decisions"]?.arrayValue?.filter { $0["kind"] == "launched" } ?? []
        // 1 for the minimum, then 2 up to the cap of 3, however many passes saw them starting.
        #expect(launched.count == 3, "\(afterBurst)")
        #expect(launched.allSatisfy { $0["image"] == "echo-img" }, "only the image serving the backlog")
        let workersUsed = Set(
            try await ids.asyncMap {
                try await api.call(.get, "/api/jobs/\($0)", template: "/api/jobs/{id}").json?["worker_id"]
            })
        #expect(workersUsed.count == 3, "the burst spread over the three workers")

        // Idle past the timeout, the extra workers retire; the minimum stays.
        for _ in 0..<300 where try await liveWorkers("echo-img") > 1 { try await Task.sleep(for: .milliseconds(100)) }
        let drained = try await scaling()
        #expect(try await liveWorkers("echo-img") == 1, "\(drained)")
        var exited = 0
        for _ in 0..<100 where exited < 2 {
            exited = (try await scaling())["decisions"]?.arrayValue?.filter { $0["kind"] == "exited" }.count ?? 0
            try await Task.sleep(for: .milliseconds(100))
        }
        let final = try await scaling()
        #expect(exited == 2, "\(final)")
        let images2 = try await scaling()["images"]?.arrayValue ?? []
        #expect(images2.first { $0["image"] == "pipeline-img" }?["desired"] == 0)
    }

    @Test("a job no worker is there for starts one at once, not at the end of the scaler's interval")
    func scaleFromZeroAtOnce() async throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("workers-\(UUID().uuidString)").path
        // A minute between passes: only the submission itself can start the worker in time.
        let api = try await APIHarness.start([
            "--worker-backend", "local", "--local-plugin-dir", try WorkerProcess.fixtures.get(),
            "--min-workers", "0", "--max-workers", "2", "--queue-threshold", "1",
            "--scaler-interval-seconds", "60", "--worker-idle-timeout-seconds", "30", "--worker-log-dir", logs,
        ])
        defer { Task { await api.stop() } }
        // The pass when the server began listening found nothing to do.
        for _ in 0..<100 {
            let images = try await api.call(.get, "/api/scaling").json?["images"]?.arrayValue ?? []
            if !images.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))
        let id = try await api.submit([
            "type": "fixture_echo", "task_spec": ["parameters": ["message": "wake"]],
        ])
        let job = try await api.poll(id, seconds: 30, until: isFinal)
        #expect(job["status"] == "succeeded", "\(job)")
        let decisions = try await api.call(.get, "/api/scaling").json?["decisions"]?.arrayValue ?? []
        #expect(decisions.filter { $0["kind"] == "launched" }.count == 1, "\(decisions)")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
