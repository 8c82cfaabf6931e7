import Foundation
import MimirCore
import MimirHTTPClient
import MimirTestSupport
import Testing

/// Orchestrator, Redis and real `mimir-worker serve` processes running real plugins.
@Suite("Workers running jobs end to end")
struct WorkerEndToEndTests {
    /// Polls a job until `done` holds for it (at most `seconds`), returning its last state.
    func poll(_ api: APIHarness, _ id: String, seconds: Double = 20, until done: (JSONValue) -> Bool) async throws
        -> JSONValue
    {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var last: JSONValue = .null
        while ContinuousClock.now < deadline {
            last = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json ?? .null
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        return last
    }

    func isFinal(_ job: JSONValue) -> Bool {
        ["succeeded", "failed", "cancelled", "dead"].contains(job["status"]?.stringValue ?? "")
    }

    @Test("jobs run on a worker: results, progress and logs reach the API; other types wait")
    func jobsRun() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-a")
        let waiting = try await api.submit(["type": "ml_training"])
        var ids: [String] = []
        for index in 0..<10 {
            ids.append(
                try await api.submit([
                    "type": "fixture_echo",
                    "task_spec": ["parameters": ["message": .string("m\(index)"), "progress_steps": 2]],
                ]))
        }
        for (index, id) in ids.enumerated() {
            let job = try await poll(api, id, until: isFinal)
            #expect(job["status"] == "succeeded", "\(job)\n\(worker.log)")
            #expect(job["result"]?["echo"] == .string("m\(index)") && job["result"]?["job_id"] == .string(id))
            #expect(job["worker_id"] == "w-a" && job["progress"] == 1.0)
        }
        let logs = try await api.call(.get, "/api/jobs/\(ids[0])/logs", template: "/api/jobs/{id}/logs")
        #expect(logs.json?["lines"]?.arrayValue?.map { $0["message"] } == ["echo: m0"])
        #expect(
            try await api.call(.get, "/api/jobs/\(waiting)", template: "/api/jobs/{id}").json?["status"] == "queued")
    }

    @Test("cancelling a running job stops its executor; a timeout ends it as timed out")
    func cancelAndTimeout() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-b")
        let long = try await api.submit(["type": "fixture_echo", "task_spec": ["parameters": ["sleep_ms": 10_000]]])
        _ = try await poll(api, long) { $0["status"] == "running" }
        let cancel = try await api.call(.post, "/api/jobs/\(long)/cancel", template: "/api/jobs/{id}/cancel")
        #expect(cancel.status == 202)
        let cancelled = try await poll(api, long, seconds: 8, until: isFinal)
        #expect(cancelled["status"] == "cancelled", "\(cancelled)\n\(worker.log)")

        let slow = try await api.submit([
            "type": "fixture_echo", "task_spec": ["parameters": ["sleep_ms": 10_000], "timeout_seconds": 0.5],
        ])
        let timedOut = try await poll(api, slow, seconds: 8, until: isFinal)
        #expect(timedOut["status"] == "failed" && timedOut["error_kind"] == "timed_out", "\(timedOut)")
    }

    @Test("kill -9 of a worker mid-job: another worker finishes the job, once")
    func workerKilledMidJob() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes + ["--reaper-interval-seconds", "0.2"])
        defer { Task { await api.stop() } }
        let doomed = try WorkerProcess(for: api, id: "w-doomed")
        let id = try await api.submit([
            "type": "fixture_echo", "task_spec": ["parameters": ["sleep_ms": 3000, "message": "survivor"]],
        ])
        let running = try await poll(api, id) { $0["status"] == "running" }
        #expect(running["worker_id"] == "w-doomed")
        doomed.process.signal(SIGKILL)
        await doomed.process.waitForExit()
        let rescuer = try WorkerProcess(for: api, id: "w-rescuer")
        let done = try await poll(api, id, seconds: 30, until: isFinal)
        #expect(done["status"] == "succeeded", "\(done)\n\(rescuer.log)")
        #expect(done["worker_id"] == "w-rescuer" && done["attempts"] == 2)
        #expect(done["result"] == ["echo": "survivor", "job_id": .string(id), "attempt": 2, "project_id": ""])
        #expect(done["last_error"]?.stringValue?.hasPrefix("lease expired: worker w-doomed") == true)
    }

    @Test("SIGTERM drains: the running job finishes, then the worker exits cleanly")
    func drainOnSIGTERM() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-drain")
        let id = try await api.submit(["type": "fixture_echo", "task_spec": ["parameters": ["sleep_ms": 1500]]])
        _ = try await poll(api, id) { $0["status"] == "running" }
        worker.process.signal(SIGTERM)
        let done = try await poll(api, id, until: isFinal)
        #expect(done["status"] == "succeeded", "\(worker.log)")
        await worker.process.waitForExit()
        #expect(worker.process.exitCode == 0, "\(worker.log)")
        let later = try await api.submit(["type": "fixture_echo"])
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await api.call(.get, "/api/jobs/\(later)", template: "/api/jobs/{id}").json?["status"] == "queued")
    }
}
