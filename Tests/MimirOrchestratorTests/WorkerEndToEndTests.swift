import Foundation
import MimirCore
import MimirHTTPClient
import MimirRedis
import MimirTestSupport
import Testing

@testable import MimirQueue

/// Orchestrator, Redis and real `mimir-worker serve` processes running real plugins.
@Suite("Workers running jobs end to end")
struct WorkerEndToEndTests {
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
            let job = try await api.poll(id, until: isFinal)
            #expect(job["status"] == "succeeded", "\(job)\n\(worker.log)")
            #expect(job["result"]?["echo"] == .string("m\(index)") && job["result"]?["job_id"] == .string(id))
            #expect(job["worker_id"] == "w-a" && job["progress"] == 1.0)
        }
        let logs = try await api.call(.get, "/api/jobs/\(ids[0])/logs", template: "/api/jobs/{id}/logs")
        #expect(logs.json?["lines"]?.arrayValue?.map { $0["message"] } == ["echo: m0"])
        #expect(
            try await api.call(.get, "/api/jobs/\(waiting)", template: "/api/jobs/{id}").json?["status"] == "queued")
    }

    @Test("an idle worker is woken by a submission instead of waiting out its poll interval")
    func idleWorkerWakes() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        // Polling alone would take up to 60 s; the wake-up token brings the job at once.
        let worker = try WorkerProcess(for: api, id: "w-wake", extra: ["--poll-interval-seconds", "60"])
        _ = try await api.poll(try await api.submit(["type": "fixture_echo"]), seconds: 20) {
            $0["status"] == "succeeded"
        }
        try await Task.sleep(for: .milliseconds(300))
        let id = try await api.submit(["type": "fixture_echo", "task_spec": ["parameters": ["message": "woken"]]])
        let job = try await api.poll(id, seconds: 20) { $0["status"] == "succeeded" }
        #expect(job["result"]?["echo"] == "woken", "\(job)\n\(worker.log)")
    }

    @Test("a slot waiting for work when the drain begins takes no new job: the one its wait took is given back")
    func drainWhileWaiting() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        // A long poll: the slot is in its wait (a BLPOP with the take behind it) when the drain
        // begins, and the submission below is what ends the wait.
        let worker = try WorkerProcess(
            for: api, id: "w-idle-drain", slots: 1, extra: ["--poll-interval-seconds", "30"])
        _ = try await api.poll(try await api.submit(["type": "fixture_echo"]), seconds: 20) {
            $0["status"] == "succeeded"
        }
        try await Task.sleep(for: .milliseconds(300))
        worker.process.signal(SIGTERM)
        for _ in 0..<3000 where !worker.log.contains("draining: no new jobs") {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(worker.log.contains("draining: no new jobs"), "\(worker.log)")
        let id = try await api.submit(["type": "fixture_echo"])
        await worker.process.waitForExit()
        #expect(worker.process.exitCode == 0, "\(worker.log)")
        let job = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json
        #expect(job?["status"] == "queued" && job?["attempts"] == 0, "\(String(describing: job))\n\(worker.log)")
    }

    @Test("cancelling a running job stops its executor; a timeout ends it as timed out")
    func cancelAndTimeout() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-b")
        // It waits for a file that never comes, so it runs until cancelled however long a loaded
        // machine stalls between seeing it run and cancelling it (a 10 s sleep once ended on its
        // own first, under a full CI run).
        let never = "/tmp/mimir-never-\(UUID().uuidString)"
        let long = try await api.submit([
            "type": "fixture_echo", "task_spec": ["parameters": ["wait_for_file": .string(never)]],
        ])
        let running = try await api.poll(long, seconds: 60) { $0["status"] == "running" }
        try #require(running["status"] == "running", "\(running)\n\(worker.log)")
        let cancel = try await api.call(.post, "/api/jobs/\(long)/cancel", template: "/api/jobs/{id}/cancel")
        #expect(cancel.status == 202)
        let cancelled = try await api.poll(long, seconds: 60, until: isFinal)
        #expect(cancelled["status"] == "cancelled", "\(cancelled)\n\(worker.log)")

        let slow = try await api.submit([
            "type": "fixture_echo",
            "task_spec": ["parameters": ["wait_for_file": .string(never)], "timeout_seconds": 0.5],
        ])
        let timedOut = try await api.poll(slow, seconds: 60, until: isFinal)
        #expect(timedOut["status"] == "failed" && timedOut["error_kind"] == "timed_out", "\(timedOut)")
    }

    @Test("kill -9 of a worker mid-job: another worker finishes the job, once")
    func workerKilledMidJob() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes + ["--reaper-interval-seconds", "0.2"])
        defer { Task { await api.stop() } }
        // A short lease: the job comes back when it ends (no scaler here knows the worker died).
        let doomed = try WorkerProcess(for: api, id: "w-doomed", leaseSeconds: 2)
        // The job waits for a file the test makes only after the kill: the doomed worker cannot
        // finish it first, however long a loaded machine stalls.
        let release = "/tmp/mimir-release-\(UUID().uuidString)"
        defer { unlink(release) }
        let id = try await api.submit([
            "type": "fixture_echo",
            "task_spec": ["parameters": ["wait_for_file": .string(release), "message": "survivor"]],
        ])
        let running = try await api.poll(id, seconds: 60) { $0["status"] == "running" }
        #expect(running["worker_id"] == "w-doomed")
        doomed.process.signal(SIGKILL)
        await doomed.process.waitForExit()
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        let rescuer = try WorkerProcess(for: api, id: "w-rescuer")
        let done = try await api.poll(id, seconds: 60, until: isFinal)
        #expect(done["status"] == "succeeded", "\(done)\n\(rescuer.log)")
        #expect(done["worker_id"] == "w-rescuer" && done["attempts"] == 2)
        #expect(done["result"] == ["echo": "survivor", "job_id": .string(id), "attempt": 2, "project_id": ""])
        #expect(done["last_error"]?.stringValue?.hasPrefix("lease expired: worker w-doomed") == true)
    }

    @Test("SIGTERM drains: the running job finishes, then the worker exits cleanly")
    func drainOnSIGTERM() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-drain", slots: 1)
        // The job runs until the test makes its file, however slowly the worker is scheduled.
        let release = "/tmp/mimir-release-\(UUID().uuidString)"
        defer { unlink(release) }
        let id = try await api.submit(Self.echo("draining", waitingFor: release))
        _ = try await api.poll(id, seconds: 60) { $0["status"] == "running" }
        worker.process.signal(SIGTERM)
        for _ in 0..<3000 where !worker.log.contains("draining: no new jobs") {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(worker.log.contains("draining: no new jobs"), "\(worker.log)")
        // Queued once the drain has begun, while the job still runs: that job's report, which
        // otherwise takes the slot's next job along, must leave it.
        let waiting = try await api.submit(["type": "fixture_echo"])
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        let done = try await api.poll(id, seconds: 60, until: isFinal)
        #expect(done["status"] == "succeeded", "\(worker.log)")
        let untouched = try await api.call(.get, "/api/jobs/\(waiting)", template: "/api/jobs/{id}").json
        #expect(untouched?["status"] == "queued" && untouched?["attempts"] == 0, "\(String(describing: untouched))")
        await worker.process.waitForExit()
        #expect(worker.process.exitCode == 0, "\(worker.log)")
        let later = try await api.submit(["type": "fixture_echo"])
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await api.call(.get, "/api/jobs/\(later)", template: "/api/jobs/{id}").json?["status"] == "queued")
    }

    @Test("short jobs are taken ahead; one that runs long reports the ends before it and gives back the jobs behind it")
    func takesAhead() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        // Runs under 200 ms count as short: a debug build's echo through an executor process is.
        let worker = try WorkerProcess(
            for: api, id: "w-ahead", slots: 1, extra: ["--short-job-ms", "200", "--prefetch", "8"])
        try await Self.makeEchoShort(api, worker)
        // The long job reports progress every 10 ms while it waits: a chatty job is seen running
        // long all the same.
        let (ids, release) = try await Self.submitAroundLongJob(api, behind: 4)
        defer { try? FileManager.default.removeItem(atPath: release) }
        // s1 ran before the long job, its end held for the next report: it is reported once the long
        // job is seen running long, not after it.
        let first = try await api.poll(ids[1], seconds: 30, until: isFinal)
        #expect(first["status"] == "succeeded", "\(worker.log)")
        let long = try await api.call(.get, "/api/jobs/\(ids[2])", template: "/api/jobs/{id}").json
        #expect(long?["status"] == "running", "s1 was reported only after the long job: \(String(describing: long))")
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        for id in ids {
            let job = try await api.poll(id, seconds: 30, until: isFinal)
            #expect(job["status"] == "succeeded" && job["worker_id"] == "w-ahead", "\(job)\n\(worker.log)")
            #expect(job["attempts"] == 1, "a job given back is not counted as an attempt: \(job)")
        }
        #expect(worker.log.contains("gave back jobs taken ahead"), "\(worker.log)")
    }

    @Test("the job sent ahead into an executor process behind one that runs long goes back and runs elsewhere at once")
    func sentAheadGoesBack() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let first = try WorkerProcess(
            for: api, id: "w-lane-a", slots: 1, extra: ["--short-job-ms", "200", "--prefetch", "8"])
        try await Self.makeEchoShort(api, first)
        // The worker takes s0 alone, then the rest ahead; while long runs, s1 is in its executor
        // process's pipe behind it. The long job runs until the test makes its file.
        let release = "/tmp/mimir-release-\(UUID().uuidString)"
        defer { unlink(release) }
        let batch = try await api.call(
            .post, "/api/job-batches",
            json: [
                "jobs": .array([
                    Self.echo("s0"), Self.echo("long", waitingFor: release), Self.echo("s1"), Self.echo("s2"),
                ])
            ])
        let ids = try #require(batch.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue })
        try #require(ids.count == 4)
        _ = try await api.poll(ids[1], seconds: 60) { $0["status"] == "running" }
        // Another worker, started once the long job runs, takes what was given back.
        let second = try WorkerProcess(for: api, id: "w-lane-b", slots: 1)
        for id in ids[2...] {
            let job = try await api.poll(id, seconds: 60, until: isFinal)
            #expect(
                job["status"] == "succeeded" && job["worker_id"] == "w-lane-b" && job["attempts"] == 1,
                "\(job)\n\(first.log)\n\(second.log)")
        }
        let long = try #require(try await api.call(.get, "/api/jobs/\(ids[1])", template: "/api/jobs/{id}").json)
        #expect(long["status"] == "running", "s1 and s2 waited for the long job: \(long)")
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        let ended = try await api.poll(ids[1], seconds: 60, until: isFinal)
        #expect(ended["status"] == "succeeded" && ended["worker_id"] == "w-lane-a", "\(ended)\n\(first.log)")
    }

    @Test(
        "executors in the worker's process: one that runs long has the ends before it reported and the jobs behind it given back, to run elsewhere"
    )
    func inProcessRunsLong() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let first = try WorkerProcess(
            for: api, id: "w-inproc-a", slots: 1,
            extra: ["--isolation", "none", "--short-job-ms", "200", "--prefetch", "8"])
        try await Self.makeEchoShort(api, first)
        // The long job runs on the slot's own thread.
        let (ids, release) = try await Self.submitAroundLongJob(api, behind: 3)
        defer { try? FileManager.default.removeItem(atPath: release) }
        let first1 = try await api.poll(ids[1], seconds: 30, until: isFinal)
        #expect(first1["status"] == "succeeded", "\(first.log)")
        // Another worker, started while the long job runs, runs what was given back, before the
        // long job ends: nothing that waited for it waits its whole run.
        let second = try WorkerProcess(for: api, id: "w-inproc-b", slots: 1)
        for id in ids[3...] {
            let job = try await api.poll(id, seconds: 30, until: isFinal)
            #expect(
                job["status"] == "succeeded" && job["worker_id"] == "w-inproc-b" && job["attempts"] == 1,
                "\(job)\n\(first.log)\n\(second.log)")
        }
        let long = try await api.call(.get, "/api/jobs/\(ids[2])", template: "/api/jobs/{id}").json
        #expect(long?["status"] == "running", "\(String(describing: long))")
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        let ended = try await api.poll(ids[2], seconds: 30, until: isFinal)
        #expect(ended["status"] == "succeeded" && ended["worker_id"] == "w-inproc-a", "\(ended)\n\(first.log)")
        #expect(first.log.contains("gave back jobs taken ahead: the job before them runs long"), "\(first.log)")
    }

    @Test("past the drain's grace, jobs still waiting ahead are given back, their attempts not counted")
    func stoppingGivesBack() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        // In-process executors, and jobs of 10 s still count as short: the jobs taken ahead wait
        // behind one that runs until stopped (it waits for a file never made) until the worker stops.
        let worker = try WorkerProcess(
            for: api, id: "w-stop", slots: 1,
            extra: ["--isolation", "none", "--short-job-ms", "10000", "--drain-seconds", "0.5"])
        try await Self.makeEchoShort(api, worker)
        let batch = try await api.call(
            .post, "/api/job-batches",
            json: [
                "jobs": .array(
                    [Self.echo("s0"), Self.echo("long", waitingFor: "/tmp/mimir-never-\(UUID().uuidString)")]
                        + (1..<5).map { Self.echo("s\($0)") })
            ])
        let ids = try #require(batch.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue })
        try #require(ids.count == 6)
        _ = try await api.poll(ids[1], seconds: 60) { $0["status"] == "running" }
        worker.process.signal(SIGTERM)
        await worker.process.waitForExit()
        #expect(worker.log.contains("gave back jobs taken ahead: the worker is stopping"), "\(worker.log)")
        for id in ids[2...] {
            let job = try #require(try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json)
            #expect(job["status"] == "queued" && job["attempts"] == 0, "\(job)")
        }
        // The long job itself was stopped and handed back as a retryable failure, as before.
        let long = try #require(try await api.call(.get, "/api/jobs/\(ids[1])", template: "/api/jobs/{id}").json)
        #expect(long["status"] == "queued" && long["attempts"] == 1, "\(long)")
    }

    @Test("an end held while the next job runs long, when Redis is away, is kept for the next report and reported once")
    func heldEndOutlivesAnOutage() async throws {
        // A Redis of its own that the test can kill; every write is on disk before it is answered.
        let server = try await RedisServer.start(
            RedisServer.Options(appendOnly: true, extraArguments: ["--appendfsync", "always"]))
        defer { Task { await server.stop() } }
        let api = try await APIHarness.start(WorkerProcess.jobTypes, redisURL: server.url)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(
            for: api, id: "w-held", leaseSeconds: 15, slots: 1, extra: ["--short-job-ms", "5000", "--prefetch", "8"])
        // Echo jobs count as short even on a loaded machine (5 s): the test needs them taken ahead;
        // a job runs long once it has run 5 s.
        try await Self.makeEchoShort(api, worker)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("held-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let started = "\(folder)/started"
        let proceed = "\(folder)/proceed"
        // s1 makes a file when it starts and then waits for one from the test, which comes well
        // before s1 has run the 5 s that would make it long.
        let held: JSONValue = [
            "type": "fixture_echo",
            "task_spec": [
                "parameters": ["message": "s1", "started_file": .string(started), "wait_for_file": .string(proceed)]
            ],
        ]
        let batch = try await api.call(
            .post, "/api/job-batches",
            json: ["jobs": [Self.echo("s0"), held, Self.echo("long", sleep: 10000), Self.echo("s2"), Self.echo("s3")]])
        #expect(batch.status == 201, "\(batch.raw.text)")
        let ids = try #require(batch.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue })
        try #require(ids.count == 5)
        // s1 runs, so the report that ended s0 took it and the rest ahead. Redis goes away; s1
        // ends, its end held; the long job starts and is seen running long 5 s in, when its slot
        // tries once to report s1's end and to give back s2 and s3, and cannot (Redis comes back
        // only once the worker has said both). s1's lease (15 s) must then be kept renewed through
        // the long job's 10 s, or it is reaped and run again.
        for _ in 0..<3000 where !FileManager.default.fileExists(atPath: started) {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(FileManager.default.fileExists(atPath: started), "s1 never started: \(worker.log)")
        await server.kill()
        #expect(FileManager.default.createFile(atPath: proceed, contents: nil))
        let tried = [
            "cannot report the outcome yet; it goes with the next report", "cannot give back jobs taken ahead",
        ]
        for _ in 0..<6000 {
            let log = worker.log
            if tried.allSatisfy({ log.contains($0) }) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await server.restart()
        for id in ids {
            let job = try await api.poll(id, seconds: 40, until: isFinal)
            #expect(job["status"] == "succeeded" && job["attempts"] == 1, "\(job)\n\(worker.log)")
        }
        #expect(worker.log.contains("cannot report the outcome yet; it goes with the next report"), "\(worker.log)")
        #expect(worker.log.contains("cannot give back jobs taken ahead; they run here"), "\(worker.log)")
    }

    @Test(
        "while Redis refuses a slot's ends (out of memory), they and the job taken with them stay leased, the retries lease no more, and every job runs once"
    )
    func refusedEndsTakeNoMore() async throws {
        // A Redis of its own: its library is replaced.
        let server = try await RedisServer.start()
        defer { Task { await server.stop() } }
        // A reaper every 0.2 s: a lease not renewed is seen gone at once.
        let api = try await APIHarness.start(
            WorkerProcess.jobTypes + ["--reaper-interval-seconds", "0.2"], redisURL: server.url)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-refused", slots: 1)
        // The ends are refused as when the memory runs out between them and the take that goes
        // along in the same round trip; every other call works.
        let refusing = try #require(
            RefusingFunction.library(QueueFunctions.library, refusing: "mimir_finish_many"))
        let admin = RedisClient(configuration: try RedisConfiguration(url: server.url), poolSize: 1)
        _ = try await admin.execute(["FUNCTION", "LOAD", "REPLACE", refusing])
        var ids: [String] = []
        for index in 0..<8 { ids.append(try await api.submit(Self.echo("e\(index)"))) }
        for _ in 0..<3000 where !worker.log.contains("cannot report the outcome yet; retrying") {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(worker.log.contains("cannot report the outcome yet; retrying"), "\(worker.log)")
        // The slot tries again after 0.1, 0.2, 0.4 and 0.8 s: each try used to lease one more job.
        try await Task.sleep(for: .milliseconds(1600))
        let running = try await api.call(.get, "/api/jobs?status=running").json?["jobs"]?.arrayValue ?? []
        #expect(running.count == 2, "the ended job and the one taken with the first try: \(running.count)")
        // Their leases are renewed while the slot retries: off the renewer's clock, they would run
        // out and be reaped. Seen by the leases' ends moving on, not by outwaiting a short lease,
        // which a loaded machine could hold the worker back past.
        let leasedUntil = try await Self.leaseEnds(api, running.compactMap { $0["id"]?.stringValue })
        try #require(leasedUntil.count == 2 && leasedUntil.values.allSatisfy { !$0.isEmpty }, "\(leasedUntil)")
        var renewed = false
        for _ in 0..<1200 where !renewed {
            try await Task.sleep(for: .milliseconds(50))
            let now = try await Self.leaseEnds(api, Array(leasedUntil.keys))
            renewed = leasedUntil.allSatisfy { id, until in (now[id] ?? "") > until }
        }
        #expect(renewed, "the leases were not renewed while the slot retried: \(leasedUntil)\n\(worker.log)")
        let still = try await api.call(.get, "/api/jobs?status=running").json?["jobs"]?.arrayValue ?? []
        #expect(still.count == 2, "\(still.count) running while the slot retries")
        _ = try await admin.execute(QueueFunctions.loadCommand)
        for id in ids {
            let job = try await api.poll(id, seconds: 40, until: isFinal)
            #expect(job["status"] == "succeeded" && job["attempts"] == 1, "\(job)\n\(worker.log)")
        }
    }

    /// Each running job's `lease_expires_at`, by id ("" for a job not running).
    static func leaseEnds(_ api: APIHarness, _ ids: [String]) async throws -> [String: String] {
        var ends: [String: String] = [:]
        for id in ids {
            let job = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json
            ends[id] = job?["status"] == "running" ? job?["lease_expires_at"]?.stringValue ?? "" : ""
        }
        return ends
    }

    /// Submits echo jobs s0 and s1, a long one, and `behind` more (s2, …) in one batch: an idle
    /// worker takes s0 alone, then the rest in one report. The long job runs until the test
    /// creates the file returned, however slowly the test is scheduled. Returns the jobs' ids in
    /// that order.
    static func submitAroundLongJob(_ api: APIHarness, behind: Int) async throws -> (ids: [String], release: String) {
        let release = FileManager.default.temporaryDirectory.appendingPathComponent("release-\(UUID().uuidString)").path
        let batch = try await api.call(
            .post, "/api/job-batches",
            json: [
                "jobs": .array(
                    [echo("s0"), echo("s1"), echo("long", waitingFor: release)]
                        + (2..<(2 + behind)).map { echo("s\($0)") })
            ])
        #expect(batch.status == 201, "\(batch.raw.text)")
        let ids = try #require(batch.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue })
        try #require(ids.count == 3 + behind)
        return (ids, release)
    }

    static func echo(_ message: String, sleep: Int = 0, waitingFor file: String? = nil) -> JSONValue {
        var parameters: [String: JSONValue] = ["message": .string(message), "sleep_ms": .integer(Int64(sleep))]
        if let file { parameters["wait_for_file"] = .string(file) }
        return ["type": "fixture_echo", "task_spec": ["parameters": .object(parameters)]]
    }

    /// Runs echo jobs on `worker` one after another until the type counts as short there (5 runs
    /// averaging under its --short-job-ms), so that its next reports take echo jobs ahead.
    static func makeEchoShort(_ api: APIHarness, _ worker: WorkerProcess) async throws {
        for index in 0..<6 {
            let id = try await api.submit(echo("warm \(index)"))
            #expect(try await api.poll(id, until: isFinal)["status"] == "succeeded", "\(worker.log)")
        }
    }
}

@Suite("Worker registration and capabilities")
struct WorkerRegistrationTests {
    @Test("a worker registers with its capabilities, the catalog and schema checks follow it, SIGTERM deregisters it")
    func registration() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes + ["--reaper-interval-seconds", "0.2"])
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-reg", register: true)
        var listed: JSONValue?
        for _ in 0..<1200 where listed == nil {
            try await Task.sleep(for: .milliseconds(50))
            let workers = try await api.call(.get, "/api/workers").json?["workers"]?.arrayValue ?? []
            listed = workers.first { $0["id"] == "w-reg" }
        }
        let record = try #require(listed, "\(worker.log)")
        #expect(record["image"] == "fixture-image" && record["status"] == "idle" && record["slots"] == 2)
        let types = record["capabilities"]?.arrayValue?.compactMap { $0["job_type"]?.stringValue }
        #expect(types == ["fixture_echo", "fixture_serial"])
        #expect(record["capabilities"]?.arrayValue?.first?["plugin"] == "fixture-good")
        let one = try await api.call(.get, "/api/workers/w-reg", template: "/api/workers/{id}")
        #expect(one.json?["id"] == "w-reg")

        // The catalog follows on the next maintenance pass.
        var echo: JSONValue?
        for _ in 0..<1200 where echo?["available"] != true {
            try await Task.sleep(for: .milliseconds(50))
            echo = try await api.call(.get, "/api/capabilities").json?["job_types"]?["fixture_echo"]
        }
        #expect(echo?["available"] == true && echo?["configured"] == true)
        let executor = echo?["executors"]?.arrayValue?.first
        #expect(executor?["executor_version"] == "1.2.3" && executor?["images"] == ["fixture-image"])
        #expect(executor?["workers"] == ["w-reg"])
        #expect(try await api.call(.get, "/api/capabilities").json?["job_types"]?["ml_training"]?["available"] == false)

        // Parameters are checked against the live executor's schema before anything is queued.
        let bad = try await api.call(
            .post, "/api/jobs",
            json: ["type": "fixture_echo", "task_spec": ["parameters": ["sleep_ms": -1, "colour": 1]]])
        #expect(bad.status == 422)
        let fields = Set(bad.json?["error"]?["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        #expect(fields == ["task_spec.parameters/sleep_ms", "task_spec.parameters"], "\(String(describing: bad.json))")

        worker.process.signal(SIGTERM)
        await worker.process.waitForExit()
        let gone = try await api.call(.get, "/api/workers/w-reg", template: "/api/workers/{id}")
        #expect(gone.status == 404, "\(worker.log)")
    }

    @Test("bad registrations and heartbeats name their fields; an unknown worker's heartbeat is 404")
    func badRegistrations() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let bad = try await api.call(
            .post, "/api/workers",
            json: ["id": "w/1", "capabilities": [["job_type": "Bad", "executor_version": "1"]], "extra": true])
        #expect(bad.status == 422 && bad.json?["error"]?["code"] == "invalid_worker")
        let fields = Set(bad.json?["error"]?["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        #expect(fields == ["id", "image", "extra", "capabilities[0].job_type", "capabilities[0].executor_version"])
        let unknown = try await api.call(
            .post, "/api/workers/nobody/heartbeat", template: "/api/workers/{id}/heartbeat", json: ["status": "idle"])
        #expect(unknown.status == 404)
        let invalid = try await api.call(
            .post, "/api/workers/nobody/heartbeat", template: "/api/workers/{id}/heartbeat", json: ["status": "asleep"])
        #expect(invalid.status == 422 && invalid.json?["error"]?["code"] == "invalid_worker")
    }
}

@Suite("Capability-aware scheduling end to end")
struct SchedulingEndToEndTests {
    @Test("GPU jobs go only to the GPU worker; version ranges and bad ranges are handled")
    func gpuAndVersions() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let plainWorker = try WorkerProcess(for: api, id: "w-cpu", register: true, extra: ["--gpus", "0"])
        let gpuWorker = try WorkerProcess(for: api, id: "w-gpu", register: true, extra: ["--gpus", "1"])
        try await WorkerProcess.waitUntilRegistered(["w-cpu", "w-gpu"], api)
        var gpuJobs: [String] = []
        var plainJobs: [String] = []
        for _ in 0..<4 {
            gpuJobs.append(try await api.submit(["type": "fixture_echo", "resource_requirements": ["gpu": true]]))
            plainJobs.append(try await api.submit(["type": "fixture_echo", "task_spec": ["executor_version": "^1.2"]]))
        }
        for id in gpuJobs + plainJobs {
            var job: JSONValue = .null
            for _ in 0..<1200 where job["status"] != "succeeded" {
                try await Task.sleep(for: .milliseconds(50))
                job = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json ?? .null
            }
            #expect(job["status"] == "succeeded", "\(job)\n\(gpuWorker.log)\n\(plainWorker.log)")
            if gpuJobs.contains(id) { #expect(job["worker_id"] == "w-gpu") }
        }
        // No worker runs executor 2.x, and none serves ml_training: both would wait forever, so both are refused.
        let tooNew = try await api.call(
            .post, "/api/jobs", json: ["type": "fixture_echo", "task_spec": ["executor_version": ">=2"]])
        #expect(tooNew.status == 422 && tooNew.json?["error"]?["code"] == "unservable_job")
        #expect(tooNew.json?["error"]?["problems"]?.arrayValue?.first?["field"] == "task_spec.executor_version")
        #expect(
            tooNew.json?["error"]?["message"]?.stringValue?.hasPrefix(
                "no known worker image or live worker runs a fixture_echo executor within >=2 (offered: 1.2.3)")
                == true,
            "\(String(describing: tooNew.json))")
        let unserved = try await api.call(.post, "/api/jobs", json: ["type": "ml_training"])
        #expect(unserved.status == 422 && unserved.json?["error"]?["code"] == "unknown_job_type")
        #expect(unserved.json?["error"]?["known_types"] == ["fixture_echo", "fixture_serial"])
        let bad = try await api.call(
            .post, "/api/jobs", json: ["type": "fixture_echo", "task_spec": ["executor_version": "^x"]])
        #expect(bad.status == 422)
        #expect(bad.json?["error"]?["problems"]?.arrayValue?.first?["field"] == "task_spec.executor_version")
    }
}
