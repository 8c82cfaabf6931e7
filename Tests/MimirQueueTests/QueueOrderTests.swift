import MimirCore
import MimirQueue
import Testing

@Suite("Queue order, submission and idempotency")
struct QueueOrderTests {
    @Test("higher priority runs first; within a priority, first in first out")
    func priorityThenFIFO() async throws {
        let harness = try await QueueHarness.make()
        let low1 = try await harness.submit(priority: 1)
        let high1 = try await harness.submit(priority: 9)
        let mid = try await harness.submit(priority: 5)
        let high2 = try await harness.submit(priority: 9)
        let low2 = try await harness.submit(priority: 1)
        var taken: [String] = []
        while let job = try await harness.queue.take(workerID: "w", types: ["ml_training"]) { taken.append(job.id) }
        #expect(taken == [high1.id, high2.id, mid.id, low1.id, low2.id])
    }

    @Test("a worker only gets jobs of the types it asks for, the most urgent across them")
    func takeByType() async throws {
        let harness = try await QueueHarness.make()
        let training = try await harness.submit("ml_training", priority: 3)
        let pipeline = try await harness.submit("pipeline_execution", priority: 8)
        #expect(try await harness.queue.take(workerID: "w", types: ["ml_inference"]) == nil)
        #expect(
            try await harness.queue.take(workerID: "w", types: ["ml_training", "pipeline_execution"])?.id == pipeline.id
        )
        let next = try #require(try await harness.queue.take(workerID: "w", types: ["ml_training"]))
        #expect(next.id == training.id)
        #expect(next.status == .running && next.attempts == 1 && next.workerID == "w")
        #expect(next.leaseExpiresAt == harness.clock.nowMilliseconds() + 10_000)
    }

    @Test("the same Idempotency-Key and request return the same job; a different request is refused")
    func idempotency() async throws {
        let harness = try await QueueHarness.make()
        let first = try await harness.queue.submit(
            NewJob(type: "ml_training", maxAttempts: 3, spec: ["a": 1]), idempotencyKey: "k1")
        let again = try await harness.queue.submit(
            NewJob(type: "ml_training", maxAttempts: 3, spec: ["a": 1]), idempotencyKey: "k1")
        guard case .created(let created) = first, case .existing(let existing) = again else {
            Issue.record("expected created then existing, got \(first) and \(again)")
            return
        }
        #expect(created.id == existing.id)
        #expect(created == existing)
        let conflict = await queueError {
            _ = try await harness.queue.submit(
                NewJob(type: "ml_training", maxAttempts: 3, spec: ["a": 2]), idempotencyKey: "k1")
        }
        #expect(
            conflict?.description
                == "Idempotency-Key \"k1\" was already used for a different request (job \(created.id))")
        #expect(try await harness.queue.stats().counts[.queued] == 1)
    }

    @Test("the job a submission answers with is the job Redis stored, field for field")
    func submittedRecordIsTheStoredOne() async throws {
        let harness = try await QueueHarness.make()
        let requirements = JobRequirements(
            minimumVersion: 1_000_000, belowVersion: 2_000_000, gpu: true, cpuMillicores: 500, memoryBytes: 1 << 30)
        let job = NewJob(
            type: "ml_inference", priority: 7, projectID: "churn", maxAttempts: 4,
            spec: [
                "task_spec": ["model_id": "m-1", "rows": [1, 2.5, "x", nil]], "resource_requirements": ["gpu": true],
            ],
            requirements: requirements)
        for key in [nil, "order-17"] {
            guard case .created(let answered) = try await harness.queue.submit(job, idempotencyKey: key) else {
                Issue.record("a first submission (key \(key ?? "none")) was not created")
                continue
            }
            #expect(answered == (try await harness.queue.job(answered.id)))
            #expect(answered.status == .queued && answered.idempotencyKey == key)
        }
        // Empty values are not stored: a plain job's hash has no project, key or requirements,
        // and it still reads, matches workers and groups for the scaler as before.
        let plain = try await harness.submit("ml_training")
        let stored = try await harness.redis.execute([
            "HGETALL", "\(harness.queue.configuration.namespace):job:\(plain.id)",
        ])
        let names = Set(stride(from: 0, to: stored.array?.count ?? 0, by: 2).compactMap { stored.array?[$0].string })
        #expect(
            names.isDisjoint(with: [
                "project_id", "idempotency_key", "req_min", "req_max", "req_gpu", "req_cpu", "req_mem",
            ]),
            "\(names.sorted())")
        #expect(plain == (try await harness.queue.job(plain.id)) && plain.projectID.isEmpty)
        #expect(try await harness.queue.take(workerID: "w-1", types: ["ml_training"])?.id == plain.id)
    }

    @Test("100 concurrent submitters: every job stored once, none lost or duplicated")
    func concurrentSubmitters() async throws {
        let harness = try await QueueHarness.make()
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for submitter in 0..<100 {
                group.addTask {
                    var ids: [String] = []
                    for job in 0..<5 {
                        ids.append(
                            try await harness.submit(spec: [
                                "submitter": .integer(Int64(submitter)), "job": .integer(Int64(job)),
                            ]).id)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(ids.count == 500)
        #expect(Set(ids).count == 500)
        var taken = Set<String>()
        while let job = try await harness.queue.take(workerID: "w", types: ["ml_training"]) { taken.insert(job.id) }
        #expect(taken == Set(ids))
    }

    @Test("listing pages newest first without gaps or repeats, filtered by status and type")
    func listing() async throws {
        let harness = try await QueueHarness.make()
        var submitted: [String] = []
        for index in 0..<25 {
            harness.clock.advance(by: .milliseconds(1))
            submitted.append(
                try await harness.submit(index.isMultiple(of: 5) ? "pipeline_execution" : "ml_training").id)
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try await harness.queue.list(cursor: cursor, limit: 10)
            seen += page.jobs.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == submitted.reversed())

        _ = try await harness.queue.take(workerID: "w", types: ["pipeline_execution"])
        #expect(try await harness.queue.list(status: .running).jobs.map(\.id) == [submitted[0]])
        #expect(try await harness.queue.list(type: "pipeline_execution").jobs.count == 5)
        #expect(try await harness.queue.list(status: .queued, type: "pipeline_execution").jobs.count == 4)
        let stats = try await harness.queue.stats()
        #expect(stats.counts[.queued] == 24 && stats.counts[.running] == 1 && stats.inFlight == 1)
        #expect(stats.depths.first { $0.type == "ml_training" }?.byPriority[5] == 20)
    }
}

@Suite("Taking only what a worker can serve")
struct CapabilityTakeTests {
    func offer(version: String = "1.2.3", gpus: Int = 0, cpu: Int64 = 2000, memory: Int64 = 4 << 30) throws
        -> WorkerOffer
    {
        WorkerOffer(
            executorVersions: ["ml_training": try #require(SemanticVersion(version))], gpus: gpus, cpuMillicores: cpu,
            memoryBytes: memory)
    }

    func submit(_ harness: QueueHarness, priority: Int = 5, _ requirements: JobRequirements) async throws -> String {
        let job = NewJob(type: "ml_training", priority: priority, maxAttempts: 3, spec: [:], requirements: requirements)
        guard case .created(let record) = try await harness.queue.submit(job) else { throw CancellationError() }
        return record.id
    }

    @Test("a GPU job is never taken by a worker without a GPU, and does not block the jobs behind it")
    func gpu() async throws {
        let harness = try await QueueHarness.make()
        let gpuJob = try await submit(harness, priority: 9, JobRequirements(gpu: true))
        let plain = try await submit(harness, priority: 1, JobRequirements())
        #expect(try await harness.queue.take(workerID: "cpu-only", offer: try offer())?.id == plain)
        #expect(try await harness.queue.take(workerID: "cpu-only", offer: try offer()) == nil)
        #expect(try await harness.queue.take(workerID: "gpu", offer: try offer(gpus: 1))?.id == gpuJob)
    }

    @Test("a worker looks 64 entries deep into a queue for a job it can serve, and no deeper")
    func scanWindow() async throws {
        for blockers in [1, 63, 64] {
            let harness = try await QueueHarness.make()
            for _ in 0..<blockers { _ = try await submit(harness, priority: 9, JobRequirements(gpu: true)) }
            let plain = try await submit(harness, priority: 1, JobRequirements())
            let taken = try await harness.queue.take(workerID: "cpu-only", offer: try offer())
            #expect(taken?.id == (blockers < 64 ? plain : nil), "behind \(blockers) GPU jobs")
        }
    }

    @Test("a requested executor version range is honoured")
    func versionRange() async throws {
        let harness = try await QueueHarness.make()
        let range = try VersionRange("^2.1")
        let job = try await submit(
            harness,
            JobRequirements(
                minimumVersion: range.lower.map(VersionRange.number), belowVersion: range.upper.map(VersionRange.number)
            ))
        for version in ["1.9.9", "2.0.5", "3.0.0"] {
            #expect(
                try await harness.queue.take(workerID: "w-\(version)", offer: try offer(version: version)) == nil,
                "\(version)")
        }
        #expect(try await harness.queue.take(workerID: "w-2.4.0", offer: try offer(version: "2.4.0"))?.id == job)
    }

    @Test("CPU and memory requests must fit what the worker declared")
    func resources() async throws {
        let harness = try await QueueHarness.make()
        let big = try await submit(harness, JobRequirements(cpuMillicores: 4000, memoryBytes: 1 << 30))
        let hungry = try await submit(harness, JobRequirements(cpuMillicores: 500, memoryBytes: 16 << 30))
        #expect(try await harness.queue.take(workerID: "small", offer: try offer(cpu: 2000, memory: 8 << 30)) == nil)
        #expect(try await harness.queue.take(workerID: "wide", offer: try offer(cpu: 8000, memory: 8 << 30))?.id == big)
        #expect(
            try await harness.queue.take(workerID: "tall", offer: try offer(cpu: 1000, memory: 32 << 30))?.id == hungry)
    }
}
