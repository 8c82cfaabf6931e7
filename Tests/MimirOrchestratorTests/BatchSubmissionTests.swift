import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirTestSupport
import Testing

@Suite("Submitting jobs in batches over HTTP")
struct BatchSubmissionTests {
    static func batch(_ jobs: [JSONValue]) -> JSONValue { ["jobs": .array(jobs)] }

    static func withoutIdentity(_ job: JSONValue) -> JSONValue {
        var fields = job.objectValue ?? [:]
        for name in ["id", "created_at", "updated_at"] { fields[name] = nil }
        return .object(fields)
    }

    @Test("a batch is stored whole: 201, every job in the order sent, each as if submitted alone")
    func submit() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let jobs: [JSONValue] = [
            ["type": "ml_training", "priority": 2, "task_spec": ["model_id": "a", "parameters": ["n": 1]]],
            [
                "type": "ml_inference", "project_id": "proj-7", "max_attempts": 4, "task_spec": ["model_id": "b"],
                "resource_requirements": ["cpu": "250m", "memory": "64Mi"],
            ],
            ["type": "ml_training", "priority": 9],
        ]
        let response = try await api.call(
            .post, "/api/job-batches", json: Self.batch(jobs), token: TestTokens.submitter)
        #expect(response.status == 201, "\(response.raw.text)")
        let answered = try #require(response.json?["jobs"]?.arrayValue)
        try #require(answered.count == 3)
        // Written job by job without a dictionary, the answer is still the canonical text of its
        // JSON: keys sorted, nothing pretty.
        #expect(response.raw.text == String(decoding: try #require(response.json).jsonBytes(), as: UTF8.self))
        for (sent, job) in zip(jobs, answered) {
            #expect(job["type"] == sent["type"] && job["status"] == "queued" && job["attempts"] == 0)
            let id = try #require(job["id"]?.stringValue)
            let stored = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}")
            #expect(stored.json == job, "the answer is the stored job")
            // The same job submitted alone differs only in its id and times.
            let alone = try #require(try await api.call(.post, "/api/jobs", json: sent).json)
            #expect(Self.withoutIdentity(alone) == Self.withoutIdentity(job), "\(alone)\n\(job)")
            _ = try await api.call(
                .post, "/api/jobs/\(alone["id"]?.stringValue ?? "")/cancel", template: "/api/jobs/{id}/cancel")
        }
        #expect(answered[0]["priority"] == 2 && answered[2]["priority"] == 9 && answered[1]["max_attempts"] == 4)
        #expect(answered[1]["resource_requirements"] == jobs[1]["resource_requirements"])
        #expect(Set(answered.compactMap { $0["id"]?.stringValue }).count == 3)
        // Each job is in its queue, in priority order, and has its own audit entry.
        let first = try #require(try await api.queue.take(workerID: "w-batch", types: ["ml_training"]))
        // (The jobs submitted alone above were cancelled, so the batch's are the only queued ones.)
        #expect(first.id == answered[2]["id"]?.stringValue)
        let audit = try await api.call(.get, "/api/audit?limit=20", template: "/api/audit")
        let entries = (audit.json?["entries"]?.arrayValue ?? []).filter { $0["caller"] == "test-submitter" }
        #expect(
            entries.map {
                "\($0["action"]?.stringValue ?? "") \($0["caller"]?.stringValue ?? "") \($0["job"]?.stringValue ?? "")"
            }
                == answered.reversed().map { "submit test-submitter \($0["id"]?.stringValue ?? "")" },
            "\(audit.raw.text)")
        // One audit line in the log for the batch, naming each job and its type in order.
        let ids = answered.compactMap { $0["id"]?.stringValue }
        let lines = api.orchestrator.log.split(separator: "\n").filter {
            $0.contains("audit") && $0.contains("caller=test-submitter") && $0.contains(ids[0])
        }
        #expect(lines.count == 1, "\(lines)")
        #expect(
            lines.first?.contains("jobs=\(ids.joined(separator: ","))") == true
                && lines.first?.contains("types=ml_training,ml_inference,ml_training") == true, "\(lines)")
        let metrics = try await api.call(.get, "/metrics")
        #expect(metrics.raw.text.contains("mimir_jobs_submitted_total{type=\"ml_training\"} 4"))
        #expect(metrics.raw.text.contains("mimir_jobs_submitted_total{type=\"ml_inference\"} 2"))
    }

    @Test("one bad job refuses the whole batch: 422 naming each problem from the batch's root, nothing stored")
    func badJobRefusesTheBatch() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let jobs: [JSONValue] = [
            ["type": "ml_training"], ["type": "ml_training", "priority": 12, "colour": "red"], ["type": "ml_training"],
            [1, 2], ["type": "no_such_type"],
        ]
        let response = try await api.call(.post, "/api/job-batches", json: Self.batch(jobs))
        #expect(response.status == 422 && response.json?["error"]?["code"] == "invalid_batch", "\(response.raw.text)")
        let problems = response.json?["error"]?["problems"]?.arrayValue ?? []
        #expect(
            problems.compactMap { $0["field"]?.stringValue } == [
                "jobs[1].colour", "jobs[1].priority", "jobs[3]", "jobs[4].type",
            ], "\(response.raw.text)")
        #expect(response.json?["error"]?["refused_jobs"] == [1, 3, 4])
        #expect(response.json?["error"]?["problem_count"] == 4)
        let message = response.json?["error"]?["message"]?.stringValue ?? ""
        #expect(message.hasPrefix("3 jobs of the batch refused, so none was added"), "\(message)")
        #expect(message.contains("jobs[3]: a job must be a JSON object, got array"), "\(message)")
        #expect(try await api.queue.stats().counts[.queued, default: 0] == 0)
    }

    struct BadBatch: Sendable, CustomTestStringConvertible {
        let name: String
        let body: JSONValue
        let fields: [String]
        var testDescription: String { name }
    }

    @Test(
        "a malformed batch gets a 422 naming what is wrong",
        arguments: [
            BadBatch(name: "not an object", body: [["type": "ml_training"]], fields: []),
            BadBatch(name: "no jobs field", body: ["job": [["type": "ml_training"]]], fields: ["job", "jobs"]),
            BadBatch(name: "jobs not an array", body: ["jobs": ["type": "ml_training"]], fields: ["jobs"]),
            BadBatch(name: "no jobs", body: ["jobs": []], fields: ["jobs"]),
            BadBatch(
                name: "more than 1,000 jobs",
                body: ["jobs": .array(Array(repeating: ["type": "ml_training"], count: 1001))], fields: ["jobs"]),
        ])
    func malformedBatch(_ bad: BadBatch) async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let response = try await api.call(.post, "/api/job-batches", json: bad.body)
        #expect(response.status == 422 && response.json?["error"]?["code"] == "invalid_batch", "\(response.raw.text)")
        let fields = response.json?["error"]?["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(fields == bad.fields, "\(response.raw.text)")
        #expect(try await api.queue.stats().counts[.queued, default: 0] == 0)
    }

    @Test("a queue that cannot take its share refuses the whole batch with 429; a batch that fits passes")
    func queueFull() async throws {
        let api = try await APIHarness.start(["--max-queued-per-type", "3"])
        defer { Task { await api.stop() } }
        _ = try await api.submit(["type": "ml_training"])
        let mixed = Self.batch([
            ["type": "ml_inference", "task_spec": ["model_id": "m"]], ["type": "ml_training"],
            ["type": "ml_training"], ["type": "ml_training"],
        ])
        let refused = try await api.call(.post, "/api/job-batches", json: mixed)
        #expect(refused.status == 429 && refused.json?["error"]?["code"] == "queue_full", "\(refused.raw.text)")
        let error = refused.json?["error"]
        #expect(
            error?["type"] == "ml_training" && error?["waiting"] == 1 && error?["limit"] == 3 && error?["adding"] == 3)
        #expect(refused.header("Retry-After") == "5")
        #expect(
            error?["message"]?.stringValue?.contains("cannot take the batch's 3 ml_training jobs") == true,
            "\(refused.raw.text)")
        // Nothing of the batch was added, not even the job whose queue had room.
        #expect(try await api.queue.stats().counts[.queued] == 1)
        let fits = Self.batch([["type": "ml_training"], ["type": "ml_training"], ["type": "ml_inference"]])
        #expect(try await api.call(.post, "/api/job-batches", json: fits).status == 201)
        #expect(try await api.queue.stats().counts[.queued] == 4)
    }

    @Test("Idempotency-Key: a repeated batch returns its jobs with 200; another batch with the key is refused")
    func idempotency() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let body = Self.batch([["type": "ml_training"], ["type": "ml_inference", "task_spec": ["model_id": "m"]]])
        let key = ("Idempotency-Key", "batch-7")
        let first = try await api.call(.post, "/api/job-batches", json: body, headers: [key])
        let again = try await api.call(.post, "/api/job-batches", json: body, headers: [key])
        #expect(first.status == 201 && again.status == 200, "\(again.raw.text)")
        #expect(again.header("Idempotent-Replayed") == "true")
        let ids = first.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids.count == 2 && again.json?["jobs"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids)
        // The same jobs in another order are another batch.
        let reordered = Self.batch([["type": "ml_inference", "task_spec": ["model_id": "m"]], ["type": "ml_training"]])
        let other = try await api.call(.post, "/api/job-batches", json: reordered, headers: [key])
        #expect(other.status == 422 && other.json?["error"]?["code"] == "idempotency_key_reused", "\(other.raw.text)")
        // A single submission's key is its own.
        #expect(try await api.call(.post, "/api/jobs", json: ["type": "ml_training"], headers: [key]).status == 201)
        #expect(try await api.queue.stats().counts[.queued] == 3)
    }

    @Test("Prefer: return=minimal answers with the ids only, in order, on creation and on a replay")
    func minimalAnswer() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let body = Self.batch([
            ["type": "ml_training", "priority": 9], ["type": "ml_inference"], ["type": "ml_training"],
        ])
        let key = ("Idempotency-Key", "batch-minimal")
        // Among other preferences, with a parameter, quoted, any case: the first `return` counts.
        for prefer in ["respond-async, RETURN=\"minimal\"; x=1, return=representation", "return=minimal"] {
            let created = try await api.call(.post, "/api/job-batches", json: body, headers: [key, ("Prefer", prefer)])
            #expect(created.status == 201 || created.status == 200, "\(created.raw.text)")
            #expect(created.header("Preference-Applied") == "return=minimal")
            let ids = (created.json?["ids"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(created.json?.objectValue?.keys.sorted() == ["ids"])
            #expect(ids.count == 3 && Set(ids).count == 3)
            var types: [String] = []
            for id in ids { types.append(try await api.queue.job(id).type) }
            #expect(types == ["ml_training", "ml_inference", "ml_training"], "the ids in the order sent")
        }
        // Without it, or asking for the representation, the answer is the jobs themselves.
        for headers in [[key], [key, ("Prefer", "return=representation")], [key, ("Prefer", "return=everything")]] {
            let full = try await api.call(.post, "/api/job-batches", json: body, headers: headers)
            #expect(full.status == 200 && full.header("Preference-Applied") == nil, "\(full.raw.text)")
            #expect(full.json?["jobs"]?.arrayValue?.count == 3)
        }
        #expect(try await api.queue.stats().counts[.queued] == 3)
    }

    @Test("a viewer or a worker may not submit batches")
    func permissions() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let body = Self.batch([["type": "ml_training"]])
        for token in [TestTokens.viewer, TestTokens.worker] {
            let response = try await api.call(.post, "/api/job-batches", json: body, token: token)
            #expect(response.status == 403 && response.json?["error"]?["needs"] == "submit", "\(response.raw.text)")
        }
        #expect(try await api.call(.post, "/api/job-batches", json: body, token: nil).status == 401)
        #expect(try await api.queue.stats().counts[.queued, default: 0] == 0)
    }
}
