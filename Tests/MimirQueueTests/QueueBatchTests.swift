import MimirCore
import MimirQueue
import Testing

@Suite("Batch submission")
struct QueueBatchTests {
    static func job(_ index: Int, type: String = "ml_training", priority: Int = 5) -> NewJob {
        NewJob(type: type, priority: priority, maxAttempts: 3, spec: ["task_spec": ["index": .integer(Int64(index))]])
    }

    @Test("each job a batch answers with is the job Redis stored, field for field, in the order given")
    func answeredRecordsAreTheStoredOnes() async throws {
        let harness = try await QueueHarness.make()
        let requirements = JobRequirements(
            minimumVersion: 1_000_000, belowVersion: 2_000_000, gpu: true, cpuMillicores: 500, memoryBytes: 1 << 30)
        let jobs = [
            NewJob(
                type: "ml_inference", priority: 7, projectID: "churn", maxAttempts: 4,
                spec: ["task_spec": ["model_id": "m-1", "rows": [1, 2.5, "x", nil]]], requirements: requirements),
            Self.job(1), Self.job(2, type: "pipeline_execution", priority: 0),
        ]
        guard case .created(let answered) = try await harness.queue.submitBatch(jobs) else {
            Issue.record("a first batch was not created")
            return
        }
        #expect(answered.map(\.type) == jobs.map(\.type))
        for record in answered {
            #expect(record == (try await harness.queue.job(record.id)))
            #expect(record.status == .queued && record.idempotencyKey == nil)
        }
        // The requirements went with the job: a worker without a GPU does not get it.
        let noGPU = WorkerOffer(
            executorVersions: ["ml_inference": SemanticVersion(major: 0, minor: 1, patch: 5)], gpus: 0,
            cpuMillicores: 4000,
            memoryBytes: 8 << 30)
        #expect(try await harness.queue.take(workerID: "w", offer: noGPU) == nil)
        var withGPU = noGPU
        withGPU.gpus = 1
        #expect(try await harness.queue.take(workerID: "w", offer: withGPU)?.id == answered[0].id)
    }

    @Test("jobs of a batch queue after earlier ones of their priority and in the batch's order")
    func order() async throws {
        let harness = try await QueueHarness.make()
        let before = try await harness.submit(priority: 5)
        guard case .created(let batch) = try await harness.queue.submitBatch((0..<5).map { Self.job($0) }) else {
            Issue.record("the batch was not created")
            return
        }
        let after = try await harness.submit(priority: 5)
        var taken: [String] = []
        while let job = try await harness.queue.take(workerID: "w", types: ["ml_training"]) { taken.append(job.id) }
        #expect(taken == [before.id] + batch.map(\.id) + [after.id])
    }

    @Test("a batch leaves a wake-up token per job of each type, at most 1,024, and lists its jobs in order")
    func wakeTokensAndListing() async throws {
        let harness = try await QueueHarness.make()
        let namespace = harness.queue.configuration.namespace
        let mixed = (0..<3).map { Self.job($0, type: "ml_inference") } + (3..<10).map { Self.job($0) }
        guard case .created(let records) = try await harness.queue.submitBatch(mixed) else {
            Issue.record("the batch was not created")
            return
        }
        #expect(try await harness.redis.execute(["LLEN", "\(namespace):wake:ml_inference"]).int == 3)
        #expect(try await harness.redis.execute(["LLEN", "\(namespace):wake:ml_training"]).int == 7)
        let types = try await harness.redis.execute(["SMEMBERS", "\(namespace):types"]).array?.compactMap(\.string)
        #expect(Set(types ?? []) == ["ml_inference", "ml_training"])
        // Newest first: the batch's last job heads the listing, of all jobs and of each type.
        #expect(try await harness.queue.list(limit: 20).jobs.map(\.id) == records.reversed().map(\.id))
        #expect(
            try await harness.queue.list(type: "ml_inference").jobs.map(\.id) == records.prefix(3).reversed().map(\.id))
        #expect(
            try await harness.queue.list(status: .queued, limit: 20).jobs.map(\.id) == records.reversed().map(\.id))
        for _ in 0..<2 { _ = try await harness.queue.submitBatch((0..<JobQueue.maximumBatchSize).map { Self.job($0) }) }
        #expect(try await harness.redis.execute(["LLEN", "\(namespace):wake:ml_training"]).int == 1_024)
    }

    @Test("a batch holding the id of a stored job is refused whole, naming that id; an empty one writes nothing")
    func duplicateID() async throws {
        let harness = try await QueueHarness.make()
        let namespace = harness.queue.configuration.namespace
        let stored = try await harness.submit()
        func batch(_ ids: [String]) -> [String] {
            [namespace, "1700000000000", "0", "", "", "", "", "", "60"]
                + ids.flatMap { [$0, "ml_training", "5", "3", "default", "{}", "", "", "", "", ""] }
        }
        do {
            _ = try await harness.redis.execute(["FCALL", "mimir_submit_batch", "0"] + batch(["fresh-id", stored.id]))
            Issue.record("a batch reusing a stored job's id was accepted")
        } catch {
            #expect(error.kind == .server && error.reason == "DUPLICATE \(stored.id)")
        }
        #expect(try await harness.redis.execute(["EXISTS", "\(namespace):job:fresh-id"]).int == 0)
        #expect(try await harness.queue.stats().counts[.queued] == 1)
        let empty = try await harness.redis.execute(["FCALL", "mimir_submit_batch", "0"] + batch([]))
        #expect(empty.array?.first?.string == "created")
        #expect(try await harness.queue.stats().counts[.queued] == 1)
    }

    @Test("20 concurrent batches with one key create one batch; all answer with its jobs")
    func concurrentRepeats() async throws {
        let harness = try await QueueHarness.make()
        let jobs = (0..<10).map { Self.job($0) }
        let answers = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<20 {
                group.addTask {
                    switch try await harness.queue.submitBatch(jobs, idempotencyKey: "nightly-42") {
                    case .created(let records), .existing(let records): return records.map(\.id)
                    }
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(Set(answers).count == 1 && answers[0].count == 10)
        #expect(try await harness.queue.stats().counts[.queued] == 10)
    }

    @Test("a batch of the most jobs allowed is one call; one more is refused before Redis")
    func limits() async throws {
        let harness = try await QueueHarness.make()
        let jobs = (0..<JobQueue.maximumBatchSize).map { Self.job($0, priority: $0 % 10) }
        guard case .created(let records) = try await harness.queue.submitBatch(jobs) else {
            Issue.record("the batch was not created")
            return
        }
        #expect(Set(records.map(\.id)).count == JobQueue.maximumBatchSize)
        #expect(try await harness.queue.stats().counts[.queued] == JobQueue.maximumBatchSize)
        do {
            _ = try await harness.queue.submitBatch(jobs + [Self.job(0)])
            Issue.record("a batch over the limit was accepted")
        } catch .batchTooLarge(let count, let limit) {
            #expect(count == JobQueue.maximumBatchSize + 1 && limit == JobQueue.maximumBatchSize)
        } catch {
            Issue.record("a batch over the limit failed otherwise: \(error)")
        }
        #expect(try await harness.queue.stats().counts[.queued] == JobQueue.maximumBatchSize)
    }

    @Test("a batch over a type's queue limit writes nothing and names that type and its share")
    func full() async throws {
        let harness = try await QueueHarness.make { $0.maxQueuedPerType = 4 }
        _ = try await harness.submit("pipeline_execution")
        let jobs = [Self.job(0), Self.job(1, type: "pipeline_execution")] + (2..<6).map { Self.job($0) }
        do {
            _ = try await harness.queue.submitBatch(jobs)
            Issue.record("a batch over the limit was accepted")
        } catch .queueFull(let type, let waiting, let limit, let adding) {
            #expect(type == "ml_training" && waiting == 0 && limit == 4 && adding == 5)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(try await harness.queue.stats().counts[.queued] == 1)
    }
}
