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
        // A minute between passes: only the submission itself can start the worker in time.
        let api = try await Self.fixtureWorkers(min: 0, max: 2, interval: 60, idleTimeout: 30)
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

    @Test("a local worker killed mid-job: its job runs on another worker at once, not at the next pass or lease end")
    func killedWorkersJobBackAtOnce() async throws {
        // Ten minutes between passes and a fifteen-minute lease: only the backend telling the
        // scaler of the death brings the job back in time (the 2 minutes allow for a loaded machine).
        let api = try await Self.fixtureWorkers(min: 2, max: 3, interval: 600, idleTimeout: 600, lease: 900)
        defer { Task { await api.stop() } }
        for _ in 0..<300 {
            let workers = try await api.call(.get, "/api/workers").json?["workers"]?.arrayValue ?? []
            if workers.filter({ $0["status"] == "idle" }).count == 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The job waits for a file the test makes only after the kill: the killed worker cannot
        // have finished it first, however long a loaded machine stalls (a 10 s sleep once had).
        let release = "/tmp/mimir-release-\(UUID().uuidString)"
        defer { unlink(release) }
        let id = try await api.submit([
            "type": "fixture_echo",
            "task_spec": ["parameters": ["message": "long", "wait_for_file": .string(release)]],
        ])
        let first = try await api.poll(id, seconds: 60) { $0["status"] == "running" }
        let killed = try #require(first["worker_id"]?.stringValue, "\(first)")
        let pid = try #require(Self.localWorkerPID(killed, orchestrator: api.orchestrator.process.pid))
        #expect(kill(pid, SIGKILL) == 0)
        #expect(FileManager.default.createFile(atPath: release, contents: nil))

        // Running again, or done already if this poll came late.
        let again = try await api.poll(id, seconds: 120) {
            ["running", "succeeded"].contains($0["status"]) && $0["worker_id"] != .string(killed)
        }
        #expect(again["worker_id"] != .string(killed), "\(again)")
        #expect(again["attempts"] == 2, "\(again)")
        // Its end reported before the test's Redis goes: a worker left holding an outcome would
        // retry it after the test, as it must with a real Redis away.
        let done = try await api.poll(id, seconds: 120, until: isFinal)
        #expect(done["status"] == "succeeded", "\(done)")
    }

    @Test("a job retried while no worker is there for it starts one at once, not at the end of the scaler's interval")
    func retryWakesTheScaler() async throws {
        let api = try await Self.fixtureWorkers(min: 0, max: 1, interval: 600, idleTimeout: 600)
        defer { Task { await api.stop() } }
        func decisions(_ kind: String) async throws -> Int {
            let all = try await api.call(.get, "/api/scaling").json?["decisions"]?.arrayValue ?? []
            return all.filter { $0["kind"] == .string(kind) }.count
        }
        // A failed job, and the worker it started gone (the pass its death brings on counts it
        // gone): nothing serves the type any more.
        let id = try await api.submit([
            "type": "fixture_echo", "task_spec": ["parameters": ["message": "again", "fail": "permanent"]],
        ])
        let failed = try await api.poll(id, seconds: 30) { $0["status"] == "failed" }
        let worker = try #require(failed["worker_id"]?.stringValue, "\(failed)")
        let pid = try #require(Self.localWorkerPID(worker, orchestrator: api.orchestrator.process.pid))
        #expect(kill(pid, SIGKILL) == 0)
        for _ in 0..<300 where try await decisions("crashed") == 0 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await decisions("crashed") == 1)

        let retried = try await api.call(.post, "/api/jobs/\(id)/retry", template: "/api/jobs/{id}/retry")
        #expect(retried.status == 200, "\(retried.raw.text)")
        let again = try await api.poll(id, seconds: 120) {
            $0["worker_id"] != nil && $0["worker_id"] != .null && $0["worker_id"] != .string(worker)
        }
        #expect(again["worker_id"] != .string(worker) && again["manual_retries"] == 1, "\(again)")
        let scaling = try await api.call(.get, "/api/scaling").raw.text
        let workers = try await api.call(.get, "/api/workers").raw.text
        #expect(try await decisions("launched") == 2, "\(scaling) \(workers)")
    }

    /// An orchestrator whose local backend starts workers with the C fixture plugins, one per
    /// queued job (QUEUE_THRESHOLD 1); times in seconds, `lease` the workers' LEASE_SECONDS.
    static func fixtureWorkers(min: Int, max: Int, interval: Int, idleTimeout: Int, lease: Int? = nil)
        async throws -> APIHarness
    {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("workers-\(UUID().uuidString)").path
        return try await APIHarness.start(
            [
                "--worker-backend", "local", "--local-plugin-dir", try WorkerProcess.fixtures.get(),
                "--min-workers", String(min), "--max-workers", String(max), "--queue-threshold", "1",
                "--scaler-interval-seconds", String(interval), "--worker-idle-timeout-seconds", String(idleTimeout),
                "--worker-log-dir", logs,
            ], environment: lease.map { ["LEASE_SECONDS": String($0)] } ?? [:])
    }

    /// The orchestrator's child process running this worker (children are listed per thread, the
    /// one that spawned them; the worker's id is in its environment).
    static func localWorkerPID(_ workerID: String, orchestrator: pid_t) -> pid_t? {
        let entry = Array("MIMIR_WORKER_ID=\(workerID)".utf8)
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(orchestrator)/task")) ?? []
        for task in tasks {
            let children = (try? String(contentsOfFile: "/proc/\(orchestrator)/task/\(task)/children", encoding: .utf8))
            for pid in (children ?? "").split(separator: " ").compactMap({ pid_t($0) }) {
                guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
                if environ.split(separator: 0).contains(where: { $0.elementsEqual(entry) }) { return pid }
            }
        }
        return nil
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
