import Foundation
import Logging
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirRedis
import MimirTestSupport
import Testing

@Suite("A job's life over HTTP")
struct LifecycleTests {
    /// Submits a job and takes it as worker `worker` through the queue, as a worker does.
    func running(_ api: APIHarness, worker: String = "w1", type: String = "ml_training", maxAttempts: Int = 3)
        async throws -> String
    {
        let id = try await api.submit(["type": .string(type), "max_attempts": .integer(Int64(maxAttempts))])
        let taken = try #require(try await api.queue.take(workerID: worker, types: [type]))
        #expect(taken.id == id)
        return id
    }

    @Test("a worker reports progress and logs, then success; the API shows each step")
    func workerReports() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api)
        let progress = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: [
                "worker_id": "w1", "progress": 0.5, "message": "half way",
                "logs": [
                    ["level": "info", "message": "loaded 150 rows"], ["level": "warning", "message": "2 nulls"],
                ],
            ])
        #expect(progress.status == 200)
        #expect(progress.json?["progress"] == 0.5 && progress.json?["progress_message"] == "half way")
        #expect(progress.json?["cancel_requested"] == false)

        let done = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w1", "status": "succeeded", "result": ["accuracy": 0.97]])
        #expect(done.json?["status"] == "succeeded" && done.json?["result"] == ["accuracy": 0.97])
        #expect(done.json?["finished_at"]?.stringValue != nil)

        let logs = try await api.call(.get, "/api/jobs/\(id)/logs", template: "/api/jobs/{id}/logs")
        #expect(
            logs.json?["lines"]?.arrayValue?.compactMap { $0["message"]?.stringValue } == [
                "loaded 150 rows", "2 nulls",
            ])

        // An illegal transition names both states.
        let late = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}", json: ["worker_id": "w1", "progress": 0.9])
        #expect(late.status == 409)
        #expect(late.json?["error"]?["message"] == .string("job \(id) cannot move from succeeded to running"))
        #expect(late.json?["error"]?["from"] == "succeeded" && late.json?["error"]?["to"] == "running")
        let metrics = try await api.call(.get, "/metrics")
        #expect(
            metrics.raw.text.contains("mimir_job_attempts_finished_total{type=\"ml_training\",status=\"succeeded\"} 1"))
    }

    @Test("a report from a worker that does not hold the lease is refused")
    func wrongWorker() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api, worker: "w1")
        let response = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}", json: ["worker_id": "w9", "status": "succeeded"])
        #expect(response.status == 409 && response.json?["error"]?["code"] == "not_lease_owner")
        #expect(try await api.queue.job(id).status == .running)
    }

    @Test("invalid worker reports name their fields")
    func invalidReport() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api)
        let response = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["status": "exploded", "progress": 2, "retryable": "yes"])
        #expect(response.status == 422)
        let fields = response.json?["error"]?["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(Set(fields) == ["worker_id", "status", "progress", "retryable"])
    }

    @Test(
        "a final report repeated by its worker (its answer lost) is answered as the first was; another outcome, another worker or a job reaped meanwhile is a conflict"
    )
    func repeatedFinalReport() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let report: JSONValue = [
            "worker_id": "w1", "status": "succeeded", "result": ["rows": 3],
            "logs": [["level": "info", "message": "wrote 3 rows"]],
        ]
        let id = try await running(api)
        let first = try await api.call(.post, "/api/jobs/\(id)", template: "/api/jobs/{id}", json: report)
        let again = try await api.call(.post, "/api/jobs/\(id)", template: "/api/jobs/{id}", json: report)
        #expect(first.status == 200 && first.header("Idempotent-Replayed") == nil)
        #expect(again.status == 200 && again.header("Idempotent-Replayed") == "true", "\(again.raw.text)")
        #expect(again.json?["status"] == "succeeded" && again.json?["result"] == ["rows": 3])
        // The lines went in once, with the first report.
        #expect(try await api.queue.logs(id).map(\.message) == ["wrote 3 rows"])
        // Not this worker's end, or not this outcome: the conflict it is.
        let stranger = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w2", "status": "succeeded", "result": ["rows": 3]])
        let otherOutcome = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w1", "status": "failed", "error": "disk full"])
        #expect(stranger.status == 409 && otherOutcome.status == 409)

        // A failure repeated: recognised by its message; the reaper's end is not this worker's.
        let failing = try await running(api)
        let failure: JSONValue = ["worker_id": "w1", "status": "failed", "error": "column y missing"]
        _ = try await api.call(.post, "/api/jobs/\(failing)", template: "/api/jobs/{id}", json: failure)
        let failedAgain = try await api.call(.post, "/api/jobs/\(failing)", template: "/api/jobs/{id}", json: failure)
        #expect(failedAgain.status == 200 && failedAgain.header("Idempotent-Replayed") == "true")
        #expect(failedAgain.json?["status"] == "failed")
        let reaped = try await running(api, maxAttempts: 1)
        // The reaper, weeks from now: the lease has long expired.
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let later = JobQueue(
            redis: RedisClient(configuration: try RedisConfiguration(url: api.redisURL), poolSize: 1, logger: quiet),
            configuration: api.queue.configuration, clock: ManualQueueClock(), logger: quiet)
        #expect(try await later.reap().dead == 1)
        let late = try await api.call(
            .post, "/api/jobs/\(reaped)", template: "/api/jobs/{id}",
            json: ["worker_id": "w1", "status": "failed", "error": "lease expired"])
        #expect(late.status == 409, "the reaper's \"lease expired\" end is not the worker's: \(late.raw.text)")
    }

    @Test("a retryable failure goes back to the queue with a backoff; a permanent one fails; retry revives it")
    func failuresAndRetry() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api)
        let retried = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w1", "status": "failed", "error": "source timed out", "retryable": true])
        #expect(retried.json?["status"] == "queued" && retried.json?["run_after"]?.stringValue != nil)
        #expect(retried.json?["error_kind"] == "retryable_failure")

        let other = try await running(api, worker: "w2", type: "ml_inference")
        let failed = try await api.call(
            .post, "/api/jobs/\(other)", template: "/api/jobs/{id}",
            json: ["worker_id": "w2", "status": "failed", "error": "column y missing", "error_kind": "invalid_input"])
        #expect(failed.json?["status"] == "failed" && failed.json?["error"] == "column y missing")
        let revived = try await api.call(.post, "/api/jobs/\(other)/retry", template: "/api/jobs/{id}/retry")
        #expect(
            revived.status == 200 && revived.json?["status"] == "queued"
                && revived.json?["last_error"] == "column y missing")
        let twice = try await api.call(.post, "/api/jobs/\(other)/retry", template: "/api/jobs/{id}/retry")
        #expect(twice.status == 409)
        #expect(twice.json?["error"]?["message"] == .string("job \(other) is already queued"))
    }

    @Test("cancel: a queued job at once (200), a running one by request (202) that its worker confirms")
    func cancel() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let queued = try await api.submit(["type": "digital_twin_update"])
        let now = try await api.call(.post, "/api/jobs/\(queued)/cancel", template: "/api/jobs/{id}/cancel")
        #expect(now.status == 200 && now.json?["status"] == "cancelled")
        let again = try await api.call(.post, "/api/jobs/\(queued)/cancel", template: "/api/jobs/{id}/cancel")
        #expect(again.status == 409)

        let id = try await running(api)
        let requested = try await api.call(.post, "/api/jobs/\(id)/cancel", template: "/api/jobs/{id}/cancel")
        #expect(
            requested.status == 202 && requested.json?["cancel_requested"] == true
                && requested.json?["status"] == "running")
        let heartbeat = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}", json: ["worker_id": "w1"])
        #expect(heartbeat.json?["cancel_requested"] == true)
        let confirmed = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}", json: ["worker_id": "w1", "status": "cancelled"])
        #expect(confirmed.json?["status"] == "cancelled")
    }

    @Test("listing: queue status, filters, pages, and bad queries")
    func listing() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        for priority in [1, 9, 9] {
            _ = try await api.submit(["type": "ml_training", "priority": .integer(Int64(priority))])
        }
        _ = try await api.submit(["type": "pipeline_execution"])
        _ = try await running(api, type: "ml_inference")
        let all = try await api.call(.get, "/api/jobs?limit=2")
        #expect(all.json?["jobs"]?.arrayValue?.count == 2)
        let queue = try #require(all.json?["queue"])
        #expect(queue["depth"]?["ml_training"]?["ready"] == 3)
        #expect(queue["depth"]?["ml_training"]?["by_priority"] == ["1": 1, "9": 2])
        #expect(queue["counts"]?["queued"] == 4 && queue["counts"]?["running"] == 1)

        var seen: [String] = []
        var cursor = all.json?["next_cursor"]?.stringValue
        seen += all.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        while let next = cursor {
            let page = try await api.call(.get, "/api/jobs?limit=2&cursor=\(next)")
            seen += page.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            cursor = page.json?["next_cursor"]?.stringValue
        }
        #expect(seen.count == 5 && Set(seen).count == 5)
        // Pages are written job by job, not as one dictionary: still the canonical text of their
        // JSON, with a cursor and without (the last page).
        for page in [all, try await api.call(.get, "/api/jobs?limit=500")] {
            #expect(page.raw.text == String(decoding: try #require(page.json).jsonBytes(), as: UTF8.self))
        }
        let running = try await api.call(.get, "/api/jobs?status=running")
        #expect(running.json?["jobs"]?.arrayValue?.map { $0["type"] } == ["ml_inference"])
        let pipelines = try await api.call(.get, "/api/jobs?type=pipeline_execution")
        #expect(pipelines.json?["jobs"]?.arrayValue?.count == 1)
        for bad in ["status=finished", "limit=0", "limit=abc", "type=Bad-Type", "cursor=abc"] {
            let response = try await api.call(.get, "/api/jobs?\(bad)")
            #expect(response.status == 400, "\(bad)")
            #expect(response.json?["error"]?["code"] == "invalid_query")
        }
    }

    @Test("a dead worker's job is put back by the reaper and lands in the dead letter on its last attempt")
    func leaseExpiryAndDeadLetter() async throws {
        // The lease is the taking worker's (here the test's queue); the orchestrator's reaper acts on it.
        let api = try await APIHarness.start(["--reaper-interval-seconds", "0.1"], workerLease: .seconds(1))
        defer { Task { await api.stop() } }
        let id = try await api.submit(["type": "ml_training", "max_attempts": 2])
        for attempt in 1...2 {
            let taken = try #require(try await api.queue.take(workerID: "doomed-\(attempt)", types: ["ml_training"]))
            #expect(taken.attempts == attempt)
            // The worker never reports: its lease runs out and the orchestrator's reaper acts.
            let expected = attempt == 1 ? "queued" : "dead"
            var status = ""
            for _ in 0..<1200 where status != expected {
                try await Task.sleep(for: .milliseconds(50))
                status =
                    try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json?["status"]?.stringValue
                    ?? ""
            }
            #expect(status == expected)
        }
        let dead = try await api.call(.get, "/api/jobs?status=dead")
        #expect(dead.json?["jobs"]?.arrayValue?.map { $0["id"] } == [.string(id)])
        #expect(dead.json?["jobs"]?.arrayValue?.first?["error_kind"] == "lease_expired")
        let revived = try await api.call(.post, "/api/jobs/\(id)/retry", template: "/api/jobs/{id}/retry")
        #expect(revived.json?["status"] == "queued" && revived.json?["attempts"] == 0)
    }

    @Test("Redis killed mid-test: 503 with the reason, then recovery; with AOF no accepted job is lost")
    func redisOutage() async throws {
        let redis = try await RedisServer.start(
            RedisServer.Options(appendOnly: true, extraArguments: ["--appendfsync", "always"]))
        let api = try await APIHarness.start(redisURL: redis.url)
        defer { Task { await api.stop() } }
        let accepted = try await api.submit()
        await redis.kill()
        let ready = try await api.call(.get, "/ready")
        #expect(ready.status == 503 && ready.header("Retry-After") == "1")
        #expect(ready.json?["reason"]?.stringValue?.contains("Redis unreachable") == true)
        let submit = try await api.call(.post, "/api/jobs", json: ["type": "ml_training"])
        #expect(submit.status == 503 && submit.json?["error"]?["code"] == "redis_unavailable")
        try await redis.restart()
        var status = 0
        for _ in 0..<1200 where status != 200 {
            try await Task.sleep(for: .milliseconds(50))
            status = try await api.call(.get, "/ready").status
        }
        #expect(status == 200)
        let survived = try await api.call(.get, "/api/jobs/\(accepted)", template: "/api/jobs/{id}")
        #expect(survived.json?["status"] == "queued")
        #expect(try await api.call(.post, "/api/jobs", json: ["type": "ml_training"]).status == 201)
        await redis.stop()
    }

    @Test("an orchestrator started while Redis still loads its data serves 503 until Redis is ready, then takes jobs")
    func redisLoadingAtStart() async throws {
        // Loading 4,000 keys at 30 ms each (events handled every KB meanwhile) would keep Redis in
        // LOADING for two minutes after a restart: the test ends the delay once it has seen the
        // orchestrator refuse, so a slow start of the orchestrator cannot outlast the loading.
        let redis = try await RedisServer.start(
            RedisServer.Options(
                extraArguments: ["--key-load-delay", "30000", "--loading-process-events-interval-bytes", "1024"]))
        let admin = RedisClient(configuration: try RedisConfiguration(url: redis.url), poolSize: 1)
        for index in 0..<4000 {
            _ = try await admin.execute(["SET", "filler:\(index)", String(repeating: "x", count: 60)])
        }
        _ = try await admin.execute(["SAVE"])
        let restarted = Task { try await redis.restart(probing: .seconds(600)) }
        var loading = false
        for _ in 0..<250 where !loading {
            try await Task.sleep(for: .milliseconds(20))
            do {
                _ = try await admin.execute(["GET", "filler:0"])
            } catch {
                loading = error.serverErrorCode == "LOADING"
            }
        }
        try #require(loading, "Redis never answered LOADING")

        let api = try await APIHarness.start(redisURL: redis.url)
        defer { Task { await api.stop() } }
        #expect(api.orchestrator.log.contains("LOADING"), "\(api.orchestrator.log)")
        let submit = try await api.call(.post, "/api/jobs", json: ["type": "ml_training"])
        #expect(submit.status == 503 && submit.json?["error"]?["code"] == "redis_unavailable", "\(submit.raw.text)")
        _ = try await admin.execute(["CONFIG", "SET", "key-load-delay", "0"])
        try await restarted.value
        var status = 0
        for _ in 0..<1200 where status != 200 {
            try await Task.sleep(for: .milliseconds(50))
            status = try await api.call(.get, "/ready").status
        }
        #expect(status == 200)
        let id = try await api.submit()
        #expect(try await api.queue.job(id).status == .queued)
        await redis.stop()
    }

    @Test("SIGTERM shuts the orchestrator down cleanly")
    func gracefulShutdown() async throws {
        let api = try await APIHarness.start()
        _ = try await api.submit()
        // Exit status 0 after SIGTERM (not a SIGKILL after 60 s) is the clean shutdown.
        let code = await api.orchestrator.stop(within: .seconds(60))
        #expect(code == 0, "\(api.orchestrator.log)")
    }
}

@Suite("Worker report edge cases")
struct WorkerReportEdgeTests {
    func running(_ api: APIHarness, worker: String = "w1") async throws -> String {
        let id = try await api.submit(["type": "ml_training"])
        _ = try #require(try await api.queue.take(workerID: worker, types: ["ml_training"]))
        return id
    }

    @Test("logs from a worker that does not hold the job are refused and not stored")
    func logsNeedTheLease() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api)
        let intruder = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w9", "logs": [["message": "not mine"]]])
        #expect(intruder.status == 409)
        let logs = try await api.call(.get, "/api/jobs/\(id)/logs", template: "/api/jobs/{id}/logs")
        #expect(logs.json?["lines"] == [])
    }

    @Test("log lines are checked strictly; lease_expired and contradictions cannot be reported")
    func strictReports() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api)
        let response = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: [
                "worker_id": "w1", "status": "failed", "error_kind": "lease_expired",
                "logs": [["level": "loud", "message": "x", "time_ms": -1, "colour": "red"]],
            ])
        #expect(response.status == 422)
        let fields = Set(
            response.json?["error"]?["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
        #expect(fields == ["error_kind", "logs[0].level", "logs[0].time_ms", "logs[0].colour"])
        let contradiction = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w1", "status": "failed", "error_kind": "retryable_failure", "retryable": false])
        #expect(contradiction.status == 422)
    }

    @Test("a progress message alone is kept; an empty error reads as no reason")
    func messagesAndEmptyErrors() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api)
        let heartbeat = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}", json: ["worker_id": "w1", "message": "warming up"])
        #expect(heartbeat.json?["progress_message"] == "warming up")
        let failed = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w1", "status": "failed", "error": ""])
        #expect(failed.json?["error"] == "failed without a reason" && failed.json?["error_kind"] == "permanent_failure")
    }

    @Test("a job whose cancel was requested is not retried after a retryable failure")
    func cancelBeatsRetry() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let id = try await running(api)
        _ = try await api.call(.post, "/api/jobs/\(id)/cancel", template: "/api/jobs/{id}/cancel")
        let report = try await api.call(
            .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
            json: ["worker_id": "w1", "status": "failed", "error": "interrupted", "retryable": true])
        #expect(report.json?["status"] == "cancelled" && report.json?["error_kind"] == "cancelled")
    }

    @Test("log offsets stay valid while old lines are dropped")
    func stableLogOffsets() async throws {
        let api = try await APIHarness.start(["--log-lines-per-job", "3"])
        defer { Task { await api.stop() } }
        let id = try await running(api)
        func log(_ messages: [String]) async throws {
            _ = try await api.call(
                .post, "/api/jobs/\(id)", template: "/api/jobs/{id}",
                json: ["worker_id": "w1", "logs": .array(messages.map { ["message": .string($0)] })])
        }
        try await log(["1", "2"])
        let first = try await api.call(.get, "/api/jobs/\(id)/logs", template: "/api/jobs/{id}/logs")
        #expect(first.json?["next_offset"] == 2)
        try await log(["3", "4", "5"])  // keeps 3, 4, 5; lines 1 and 2 (offsets 0, 1) are dropped
        let next = try await api.call(.get, "/api/jobs/\(id)/logs?offset=2", template: "/api/jobs/{id}/logs")
        #expect(next.json?["lines"]?.arrayValue?.compactMap { $0["message"]?.stringValue } == ["3", "4", "5"])
        #expect(next.json?["first_offset"] == 2 && next.json?["next_offset"] == 5 && next.json?["dropped"] == 2)
        let stale = try await api.call(.get, "/api/jobs/\(id)/logs?offset=0", template: "/api/jobs/{id}/logs")
        #expect(stale.json?["first_offset"] == 2)
    }

    @Test("cursors must be ones the API handed out; unknown types list the known ones with other problems")
    func cursorsAndKnownTypes() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        for cursor in ["e", "1e5", "%D9%A3", "-5"] {
            #expect(try await api.call(.get, "/api/jobs?cursor=\(cursor)").status == 400, "\(cursor)")
        }
        let response = try await api.call(.post, "/api/jobs", json: ["type": "astrology", "priority": 99])
        #expect(response.json?["error"]?["code"] == "invalid_job")
        #expect(response.json?["error"]?["known_types"]?.arrayValue?.count == 4)
    }
}
