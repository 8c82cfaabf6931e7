import MimirCore
import MimirHTTPClient
import MimirTestSupport
import Testing

@Suite("Submitting jobs over HTTP")
struct SubmissionTests {
    @Test("health, readiness, the OpenAPI document and metrics answer")
    func serviceEndpoints() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        #expect(try await api.call(.get, "/health").json?["status"] == "ok")
        #expect(try await api.call(.get, "/ready").json == ["status": "ready"])
        #expect(api.contract.document["openapi"]?.stringValue?.hasPrefix("3.1") == true)
        _ = try await api.submit()
        let metrics = try await api.call(.get, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.raw.text.contains("mimir_jobs_submitted_total{type=\"ml_training\"} 1"))
    }

    @Test("a valid job is stored and answered with 201, its Location and the job")
    func submit() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let job: JSONValue = [
            "type": "ml_training", "priority": 7, "project_id": "proj-1", "max_attempts": 2,
            "task_spec": ["model_id": "iris", "parameters": ["task": "classification"], "timeout_seconds": 60],
            "resource_requirements": ["cpu": "500m", "memory": "1Gi", "gpu": false],
            "data_access": ["input_datasets": ["datasets/iris.csv"], "output_location": "models/iris"],
        ]
        let response = try await api.call(.post, "/api/jobs", json: job)
        #expect(response.status == 201)
        let id = try #require(response.json?["id"]?.stringValue)
        #expect(response.header("Location") == "/api/jobs/\(id)")
        let stored = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}")
        #expect(stored.json == response.json)
        let body = try #require(stored.json)
        #expect(
            body["status"] == "queued" && body["priority"] == 7 && body["max_attempts"] == 2 && body["attempts"] == 0)
        #expect(body["task_spec"] == job["task_spec"])
        #expect(body["resource_requirements"] == job["resource_requirements"])
        #expect(body["data_access"] == job["data_access"])
        #expect(try await api.queue.job(id).status == .queued)
        // A job alone and in a listing page: the same bytes.
        let listing = try await api.call(.get, "/api/jobs")
        #expect(listing.json?["jobs"]?.arrayValue?.first == stored.json)
        #expect(listing.raw.text.contains(stored.raw.text), "\(stored.raw.text)\n\(listing.raw.text)")
    }

    @Test("Prefer: return=minimal answers with the id only, on creation and on a replay; the job is stored whole")
    func minimalAnswer() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let job: JSONValue = ["type": "ml_training", "priority": 3, "task_spec": ["model_id": "m"]]
        let key = ("Idempotency-Key", "minimal-1")
        let created = try await api.call(.post, "/api/jobs", json: job, headers: [key, ("Prefer", "return=minimal")])
        #expect(created.status == 201 && created.header("Preference-Applied") == "return=minimal")
        let id = try #require(created.json?["id"]?.stringValue)
        #expect(created.json?.objectValue?.count == 1 && created.header("Location") == "/api/jobs/\(id)")
        let stored = try await api.queue.job(id)
        #expect(stored.priority == 3 && stored.spec["task_spec"]?["model_id"] == "m" && stored.status == .queued)
        let replay = try await api.call(.post, "/api/jobs", json: job, headers: [key, ("Prefer", "return=minimal")])
        #expect(
            replay.status == 200 && replay.json == ["id": .string(id)] && replay.header("Idempotent-Replayed") == "true"
        )
        let full = try await api.call(.post, "/api/jobs", json: job, headers: [key])
        #expect(full.status == 200 && full.json?["priority"] == 3 && full.header("Preference-Applied") == nil)
    }

    struct BadJob: Sendable, CustomTestStringConvertible {
        let name: String
        let body: JSONValue
        let code: String
        let fields: [String]
        var testDescription: String { name }
    }

    @Test(
        "bad jobs get a 422 naming each field and its problem, and nothing is stored",
        arguments: [
            BadJob(
                name: "wrong types", body: ["type": 5, "priority": "high"], code: "invalid_job",
                fields: ["type", "priority"]),
            BadJob(
                name: "priority out of range", body: ["type": "ml_training", "priority": 10], code: "invalid_job",
                fields: ["priority"]),
            BadJob(
                name: "malformed quantities",
                body: ["type": "ml_training", "resource_requirements": ["cpu": "fast", "memory": "-1Gi"]],
                code: "invalid_job",
                fields: ["resource_requirements.cpu", "resource_requirements.memory"]),
            BadJob(
                name: "unknown fields at any depth",
                body: ["type": "ml_training", "colour": "red", "task_spec": ["paramters": [:]]], code: "invalid_job",
                fields: ["colour", "task_spec.paramters"]),
            BadJob(name: "missing type", body: ["priority": 1], code: "invalid_job", fields: ["type"]),
            BadJob(name: "not an object", body: [1, 2], code: "invalid_job", fields: []),
            BadJob(
                name: "bad project id and timeout",
                body: ["type": "ml_training", "project_id": "a/b", "task_spec": ["timeout_seconds": 0]],
                code: "invalid_job", fields: ["project_id", "task_spec.timeout_seconds"]),
            BadJob(name: "unknown job type", body: ["type": "astrology"], code: "unknown_job_type", fields: ["type"]),
        ])
    func badJobs(job: BadJob) async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let response = try await api.call(.post, "/api/jobs", json: job.body)
        #expect(response.status == 422)
        let error = try #require(response.json?["error"])
        #expect(error["code"]?.stringValue == job.code)
        let fields = error["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(Set(fields) == Set(job.fields), "\(error)")
        if job.code == "unknown_job_type" {
            #expect(
                error["known_types"] == ["pipeline_execution", "ml_training", "ml_inference", "digital_twin_update"])
        }
        #expect(try await api.queue.stats().counts[.queued] == 0)
    }

    @Test("malformed JSON is a 400 that says where; invalid UTF-8 too")
    func malformedJSON() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let response = try await api.call(
            .post, "/api/jobs", body: Array("{\"type\": \"ml_training\",\n  \"priority\": }".utf8))
        #expect(response.status == 400)
        #expect(response.json?["error"]?["code"] == "malformed_json")
        #expect(response.json?["error"]?["line"] == 2)
        #expect(response.json?["error"]?["message"]?.stringValue?.contains("at line 2, column") == true)
        let invalidUTF8 = try await api.call(.post, "/api/jobs", body: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
        #expect(invalidUTF8.status == 400)
    }

    @Test("a wrong content type is 415 and a body over the limit is 413")
    func contentTypeAndSize() async throws {
        let api = try await APIHarness.start(["--max-body-bytes", "2048"])
        defer { Task { await api.stop() } }
        let form = try await api.call(
            .post, "/api/jobs", body: Array("type=ml_training".utf8), contentType: "application/x-www-form-urlencoded")
        #expect(form.status == 415 && form.json?["error"]?["code"] == "unsupported_media_type")
        let job = Array(#"{"type":"ml_training"}"#.utf8)
        for accepted in ["Application/JSON ; charset=utf-8", " application/json", "application/vnd.mimir+json"] {
            let response = try await api.call(.post, "/api/jobs", body: job, contentType: accepted)
            #expect(response.status == 201, "\(accepted): \(response.raw.text)")
        }
        for refused in ["text/json", "application/jsonx", "application/+json", "application/json+xml", ""] {
            let response = try await api.call(.post, "/api/jobs", body: job, contentType: refused)
            #expect(response.status == 415, "\(refused): \(response.raw.text)")
        }
        let big: JSONValue = [
            "type": "ml_training", "task_spec": ["parameters": ["blob": .string(String(repeating: "x", count: 4000))]],
        ]
        let tooLarge = try await api.call(.post, "/api/jobs", json: big)
        #expect(tooLarge.status == 413 && tooLarge.json?["error"]?["code"] == "body_too_large")
    }

    @Test("a body nested deeper than MAX_JSON_DEPTH is a 400 naming where; one too deep for the parser too")
    func nesting() async throws {
        let api = try await APIHarness.start(["--max-json-depth", "8"])
        defer { Task { await api.stop() } }
        var nested: JSONValue = ["leaf": 1]
        for _ in 0..<8 { nested = ["a": nested] }
        let job: JSONValue = ["type": "ml_training", "task_spec": ["parameters": nested]]
        let deep = try await api.call(.post, "/api/jobs", json: job)
        #expect(deep.status == 400 && deep.json?["error"]?["code"] == "too_deep", "\(deep.raw.text)")
        #expect(deep.json?["error"]?["path"] == "/task_spec/parameters/a/a/a/a/a/a")
        #expect(deep.json?["error"]?["max_depth"] == 8)
        // Far past jansson's own limit (2048): refused as malformed, and the server lives on.
        let bomb = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let refused = try await api.call(.post, "/api/jobs", body: Array(bomb.utf8))
        #expect(refused.status == 400 && refused.json?["error"]?["code"] == "malformed_json")
        #expect(try await api.call(.get, "/api/jobs").status == 200)
        #expect(try await api.queue.stats().counts.values.reduce(0, +) == 0)
    }

    @Test("storage paths that climb out of the project, or above /, are refused at submission, naming the field")
    func pathTraversal() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let attempts: [(JSONValue, String, String)] = [
            (
                ["input_datasets": ["datasets/iris.csv", "../../../etc/passwd"]], "data_access.input_datasets[1]",
                "leads outside the project folder"
            ),
            (
                ["input_datasets": ["datasets/../../other-project/secret.csv"]], "data_access.input_datasets[0]",
                "leads outside the project folder"
            ),
            (["input_datasets": ["file:///../../etc/shadow"]], "data_access.input_datasets[0]", "leads above /"),
            (["input_datasets": ["gopher://example.com/x"]], "data_access.input_datasets[0]", "unsupported scheme"),
            (["output_location": "/../../tmp/x.csv"], "data_access.output_location", "leads above /"),
            (
                ["output_location": "https://example.com/upload"], "data_access.output_location",
                "written into the project folder"
            ),
        ]
        for (access, field, reason) in attempts {
            let response = try await api.call(.post, "/api/jobs", json: ["type": "ml_training", "data_access": access])
            #expect(response.status == 422, "\(access): \(response.raw.text)")
            let problem = response.json?["error"]?["problems"]?.arrayValue?.first { $0["field"] == .string(field) }
            #expect(problem?["message"]?.stringValue?.contains(reason) == true, "\(access): \(response.raw.text)")
        }
        let fine = try await api.call(
            .post, "/api/jobs",
            json: [
                "type": "ml_training",
                "data_access": [
                    "input_datasets": ["datasets/a/../iris.csv", "https://example.com/iris.csv", "file:///data/x.csv"],
                    "output_location": "outputs/model",
                ],
            ])
        #expect(fine.status == 201, "\(fine.raw.text)")
        #expect(try await api.queue.stats().counts[.queued] == 1)
    }

    /// Found by scripts/fuzz-api.sh: a memory request of 9.999999999999998e18 bytes trapped in a
    /// Double-to-Int64 conversion and took the orchestrator down.
    @Test("absurdly large resource requests and offers are refused, and the server stays up")
    func hugeQuantities() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        for memory: JSONValue in [9.999999999999998e18, "8Ei", "9e18"] {
            let response = try await api.call(
                .post, "/api/jobs",
                json: ["type": "ml_training", "resource_requirements": ["memory": memory, "cpu": "1e18"]])
            #expect(response.status == 422, "\(memory): \(response.raw.text)")
            let fields = response.json?["error"]?["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(fields == ["resource_requirements.cpu", "resource_requirements.memory"], "\(response.raw.text)")
        }
        let worker = try await api.call(
            .post, "/api/workers",
            json: [
                "id": "w-huge", "image": "local", "resources": ["memory": "8Ei", "cpu": 1e300],
                "capabilities": [["job_type": "ml_training", "executor_version": "1.0.0"]],
            ], token: TestTokens.worker)
        #expect(worker.status == 422, "\(worker.raw.text)")
        #expect(try await api.call(.get, "/api/jobs").status == 200)
    }

    @Test("a full queue refuses more jobs of its type with 429 and Retry-After; replays and other types still pass")
    func queueFull() async throws {
        let api = try await APIHarness.start(["--max-queued-per-type", "2"])
        defer { Task { await api.stop() } }
        let job: JSONValue = ["type": "ml_training"]
        let first = try await api.call(.post, "/api/jobs", json: job, headers: [("Idempotency-Key", "full-1")])
        #expect(first.status == 201)
        _ = try await api.submit(job)
        let refused = try await api.call(.post, "/api/jobs", json: job)
        #expect(refused.status == 429 && refused.json?["error"]?["code"] == "queue_full", "\(refused.raw.text)")
        #expect(refused.json?["error"]?["waiting"] == 2 && refused.json?["error"]?["limit"] == 2)
        #expect(refused.json?["error"]?["type"] == "ml_training")
        #expect(refused.header("Retry-After") == "5")
        let replay = try await api.call(.post, "/api/jobs", json: job, headers: [("Idempotency-Key", "full-1")])
        #expect(replay.status == 200)
        #expect(
            try await api.call(.post, "/api/jobs", json: ["type": "ml_inference", "task_spec": ["model_id": "m"]])
                .status == 201)
        // A taken job frees its place.
        _ = try #require(try await api.queue.take(workerID: "w-full", types: ["ml_training"]))
        #expect(try await api.call(.post, "/api/jobs", json: job).status == 201)
    }

    @Test("Idempotency-Key: a repeat returns the same job with 200; another body with the key is refused")
    func idempotency() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let job: JSONValue = ["type": "ml_inference", "task_spec": ["model_id": "m1"]]
        let first = try await api.call(.post, "/api/jobs", json: job, headers: [("Idempotency-Key", "order-42")])
        let second = try await api.call(.post, "/api/jobs", json: job, headers: [("Idempotency-Key", "order-42")])
        #expect(first.status == 201 && second.status == 200)
        #expect(second.header("Idempotent-Replayed") == "true")
        #expect(first.json?["id"] == second.json?["id"])
        let other = try await api.call(
            .post, "/api/jobs", json: ["type": "ml_inference", "task_spec": ["model_id": "m2"]],
            headers: [("Idempotency-Key", "order-42")])
        #expect(other.status == 422 && other.json?["error"]?["code"] == "idempotency_key_reused")
        let badKey = try await api.call(.post, "/api/jobs", json: job, headers: [("Idempotency-Key", "has space")])
        #expect(badKey.status == 400)
        #expect(try await api.queue.stats().counts[.queued] == 1)
    }

    @Test("100 concurrent submitters over HTTP: every job stored exactly once")
    func concurrentSubmitters() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for submitter in 0..<100 {
                group.addTask {
                    var ids: [String] = []
                    for job in 0..<3 {
                        ids.append(
                            try await api.submit([
                                "type": "pipeline_execution",
                                "task_spec": [
                                    "parameters": ["s": .integer(Int64(submitter)), "j": .integer(Int64(job))]
                                ],
                            ]))
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == 300)
        var taken = Set<String>()
        while let job = try await api.queue.take(workerID: "w", types: ["pipeline_execution"]) { taken.insert(job.id) }
        #expect(taken == Set(ids))
    }

    @Test("unknown routes and jobs are JSON 404s")
    func notFound() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let job = try await api.call(.get, "/api/jobs/does-not-exist", template: "/api/jobs/{id}")
        #expect(job.status == 404 && job.json?["error"]?["code"] == "not_found")
        let logs = try await api.call(.get, "/api/jobs/does-not-exist/logs", template: "/api/jobs/{id}/logs")
        #expect(logs.status == 404)
        let route = try await api.client.send(
            HTTPRequest(url: api.orchestrator.baseURL + "/api/nothing", headers: [TestTokens.header(TestTokens.viewer)])
        )
        #expect(route.status == 404)
        #expect(try route.json()["error"]?["message"] == "no route for GET /api/nothing")
    }
}
