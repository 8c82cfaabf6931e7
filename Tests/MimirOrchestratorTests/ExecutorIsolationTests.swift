import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// Real workers running faulty plugins in executor processes (docs/executor-isolation.md): a
/// plugin that crashes, aborts, exits, hangs or leaks fails its own job, never the worker.
@Suite("Crash-isolated executors")
struct ExecutorIsolationTests {
    /// One slot, so the same executor pool serves every job of a test.
    static func worker(_ api: APIHarness, _ id: String, _ extra: [String] = []) throws -> WorkerProcess {
        try WorkerProcess(
            for: api, id: id, slots: 1, pluginDirectory: try WorkerProcess.faultyPlugins(),
            extra: ["--kill-grace-seconds", "1"] + extra)
    }

    static func echoSucceeds(_ api: APIHarness, _ worker: WorkerProcess, _ message: String) async throws {
        let id = try await api.submit([
            "type": "fixture_echo", "task_spec": ["parameters": ["message": .string(message)]],
        ])
        let job = try await api.poll(id, seconds: 30, until: isFinal)
        #expect(job["status"] == "succeeded" && job["result"]?["echo"] == .string(message), "\(job)\n\(worker.log)")
        #expect(job["worker_id"] == .string(worker.id))
    }

    @Test("a segfault, an abort and an exit each fail only their job, naming the plugin and how it died")
    func crashes() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let worker = try Self.worker(api, "w-crash")
        let expected = [
            "fixture_segfault": "plugin fixture-faulty 1.0.0 (fixture_segfault 1.0.0) crashed with SIGSEGV (signal 11)",
            "fixture_abort": "plugin fixture-faulty 1.0.0 (fixture_abort 1.0.0) crashed with SIGABRT (signal 6)",
            "fixture_exit": "plugin fixture-faulty 1.0.0 (fixture_exit 1.0.0) exited with status 3",
        ]
        for (type, message) in expected.sorted(by: { $0.key < $1.key }) {
            let id = try await api.submit(["type": .string(type), "max_attempts": 1])
            let job = try await api.poll(id, seconds: 30, until: isFinal)
            // One attempt: the crash used it up, so the job is in the dead letter.
            #expect(job["status"] == "dead" && job["error_kind"] == "crashed", "\(job)\n\(worker.log)")
            #expect(job["error"] == .string(message), "\(job)")
            #expect(job["crashes"] == 1)
            let logs = try await api.call(.get, "/api/jobs/\(id)/logs", template: "/api/jobs/{id}/logs")
            #expect(logs.json?["lines"]?.arrayValue?.isEmpty == false, "what the plugin logged before dying is kept")
            try await Self.echoSucceeds(api, worker, "after \(type)")
        }
        #expect(worker.process.isRunning, "\(worker.log)")
    }

    @Test("a job that keeps crashing its executor is a poison pill: dead letter after 3 crashes, attempts left")
    func poisonPill() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let worker = try Self.worker(api, "w-poison")
        let id = try await api.submit(["type": "fixture_segfault", "max_attempts": 10])
        let job = try await api.poll(id, seconds: 60, until: isFinal)
        #expect(job["status"] == "dead" && job["crashes"] == 3 && job["attempts"] == 3, "\(job)\n\(worker.log)")
        #expect(
            job["error"]?.stringValue
                == "poison pill: crashed its executor 3 times (last: plugin fixture-faulty 1.0.0 (fixture_segfault "
                + "1.0.0) crashed with SIGSEGV (signal 11))", "\(job)")
        try await Self.echoSucceeds(api, worker, "still serving")

        // A manual retry starts the count again.
        _ = try await api.call(.post, "/api/jobs/\(id)/retry", template: "/api/jobs/{id}/retry")
        let retried = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json
        #expect(retried?["crashes"] == 0 || retried?["crashes"] == 1, "\(String(describing: retried))")
    }

    @Test("a plugin that hangs past its timeout is killed after the grace; the job times out")
    func hangPastTimeout() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let worker = try Self.worker(api, "w-hang")
        let id = try await api.submit(["type": "fixture_hang", "task_spec": ["timeout_seconds": 0.5]])
        let job = try await api.poll(id, seconds: 30, until: isFinal)
        #expect(job["status"] == "failed" && job["error_kind"] == "timed_out", "\(job)\n\(worker.log)")
        #expect(
            job["error"]?.stringValue
                == "timed out after 0.5 s; plugin fixture-faulty 1.0.0 (fixture_hang 1.0.0) did not stop within 1 s "
                + "more, so its process was killed", "\(job)")
        try await Self.echoSucceeds(api, worker, "after the hang")
    }

    @Test("cancelling a job whose plugin ignores cancellation kills its process after the grace")
    func cancelIgnored() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let worker = try Self.worker(api, "w-stubborn")
        let id = try await api.submit(["type": "fixture_hang"])
        _ = try await api.poll(id) { $0["status"] == "running" }
        let cancel = try await api.call(.post, "/api/jobs/\(id)/cancel", template: "/api/jobs/{id}/cancel")
        #expect(cancel.status == 202)
        let job = try await api.poll(id, seconds: 30, until: isFinal)
        #expect(job["status"] == "cancelled", "\(job)\n\(worker.log)")
        #expect(
            job["error"]?.stringValue?.contains(
                "plugin fixture-faulty 1.0.0 (fixture_hang 1.0.0) did not stop within 1 s of being cancelled, so its "
                    + "process was killed") == true, "\(job)")
        try await Self.echoSucceeds(api, worker, "after the cancel")
    }

    @Test("an executor process over its memory limit after a job is replaced; under it, it is reused")
    func leakRecycled() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let worker = try Self.worker(api, "w-leak", ["--max-executor-memory-mb", "96"])
        var pids: [JSONValue?] = []
        for mb in [1, 128, 1] {
            let id = try await api.submit([
                "type": "fixture_leak", "task_spec": ["parameters": ["mb": .integer(Int64(mb))]],
            ])
            let job = try await api.poll(id, seconds: 30, until: isFinal)
            #expect(job["status"] == "succeeded", "\(job)\n\(worker.log)")
            pids.append(job["result"]?["pid"])
        }
        #expect(pids[0] == pids[1], "a process under the limit runs the next job too")
        #expect(pids[1] != pids[2], "the process that leaked 128 MiB was replaced: \(pids)\n\(worker.log)")
        #expect(worker.log.contains("replacing executor process: its resident memory is"), "\(worker.log)")
    }

    @Test("after an upgrade replaced the worker's file, the executor processes it starts are still its own build")
    func childrenOfTheRunningBuild() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upgrade-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let installed = "\(folder)/mimir-worker"
        try FileManager.default.copyItem(atPath: BuildProducts.path("mimir-worker"), toPath: installed)
        let worker = try WorkerProcess(
            for: api, id: "w-upgrade", slots: 1, pluginDirectory: try WorkerProcess.faultyPlugins(),
            executable: installed, extra: ["--kill-grace-seconds", "1"])
        try await Self.echoSucceeds(api, worker, "before the upgrade")

        // The upgrade renames another program over the file, as package managers do: here one
        // that is no worker at all, so a child started from the path would never be ready.
        let replacement = "\(folder)/mimir-worker.new"
        try "#!/bin/sh\nexit 7\n".write(toFile: replacement, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: replacement)
        #expect(rename(replacement, installed) == 0)
        // A crash makes the worker start a new executor process.
        let crashed = try await api.submit(["type": "fixture_segfault", "max_attempts": 1])
        let job = try await api.poll(crashed, seconds: 30, until: isFinal)
        #expect(job["error_kind"] == "crashed", "\(job)\n\(worker.log)")
        try await Self.echoSucceeds(api, worker, "after the upgrade")
    }

    @Test("executor processes exit with their worker, even when it is killed with SIGKILL")
    func childrenFollowTheWorker() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let worker = try Self.worker(api, "w-parent")
        let id = try await api.submit(["type": "fixture_hang"])
        _ = try await api.poll(id) { $0["status"] == "running" }
        let children = worker.executorProcesses
        #expect(!children.isEmpty, "\(worker.log)")
        worker.process.signal(SIGKILL)
        await worker.process.waitForExit()
        // Their pipes close with the worker: mid-job the cancel pipe's end of file ends them.
        for _ in 0..<400 where children.contains(where: { kill($0, 0) == 0 && !Self.isZombie($0) }) {
            try await Task.sleep(for: .milliseconds(25))
        }
        for child in children {
            #expect(kill(child, 0) != 0 || Self.isZombie(child), "executor process \(child) outlived its worker")
        }
    }

    @Test("SIGTERM stops executor processes cleanly; a job stuck in one is handed back")
    func drainStopsChildren() async throws {
        let api = try await APIHarness.start(WorkerProcess.faultyJobTypes)
        defer { Task { await api.stop() } }
        let worker = try Self.worker(api, "w-drain-iso", ["--drain-seconds", "0.5"])
        let id = try await api.submit(["type": "fixture_hang", "max_attempts": 3])
        _ = try await api.poll(id) { $0["status"] == "running" }
        let children = worker.executorProcesses
        worker.process.signal(SIGTERM)
        await worker.process.waitForExit()
        #expect(worker.process.exitCode == 0, "\(worker.log)")
        let job = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json
        #expect(job?["status"] == "queued", "\(String(describing: job))\n\(worker.log)")
        #expect(job?["crashes"] == 0, "a process the worker killed did not crash")
        for child in children {
            #expect(kill(child, 0) != 0 || Self.isZombie(child), "executor process \(child) outlived its worker")
        }
    }

    /// An orphan that exited but was not yet reaped by init.
    static func isZombie(_ pid: pid_t) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = status.lastIndex(of: ")") else { return true }
        return status[status.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
