import MimirCore
import MimirQueue
import MimirTestSupport
import Testing

@Suite("Leases, retries and the dead letter")
struct QueueLeaseTests {
    @Test("an expired lease puts the job back (attempt + 1); on the last attempt it goes dead")
    func leaseExpiry() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit(maxAttempts: 2)
        _ = try await harness.queue.take(workerID: "w1", types: ["ml_training"])
        harness.clock.advance(by: .seconds(9))
        #expect(try await harness.queue.reap().requeued == 0)
        harness.clock.advance(by: .seconds(2))
        #expect(try await harness.queue.reap() == ReapReport(requeued: 1, dead: 0, cancelled: 0, promoted: 0))
        let requeued = try await harness.queue.job(job.id)
        #expect(requeued.status == .queued)
        #expect(requeued.error == "lease expired: worker w1 stopped renewing it (attempt 1 of 2)")

        let second = try #require(try await harness.queue.take(workerID: "w2", types: ["ml_training"]))
        #expect(second.attempts == 2 && second.lastError?.hasPrefix("lease expired") == true)
        #expect(second.error == nil && second.errorKind == nil && second.runAfter == nil, "\(second)")
        // The first worker comes back too late: its lease belongs to w2 now.
        let stale = await queueError {
            try await harness.queue.finish(jobID: job.id, workerID: "w1", outcome: .succeeded(result: nil))
        }
        #expect(stale?.description == "job \(job.id) is leased by worker w2, not w1")

        harness.clock.advance(by: .seconds(11))
        #expect(try await harness.queue.reap().dead == 1)
        let dead = try await harness.queue.job(job.id)
        #expect(dead.status == .dead && dead.errorKind == "lease_expired")
        #expect(try await harness.queue.list(status: .dead).jobs.map(\.id) == [job.id])
    }

    @Test("heartbeats renew the lease and carry progress")
    func heartbeatRenews() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit()
        _ = try await harness.queue.take(workerID: "w", types: ["ml_training"])
        for step in 1...3 {
            harness.clock.advance(by: .seconds(8))
            let cancelRequested = try await harness.queue.heartbeat(
                jobID: job.id, workerID: "w", progress: Double(step) / 4, message: "step \(step)")
            #expect(!cancelRequested)
            #expect(try await harness.queue.reap().requeued == 0)
        }
        let running = try await harness.queue.job(job.id)
        #expect(running.status == .running && running.progress == 0.75 && running.progressMessage == "step 3")
        let intruder = await queueError { _ = try await harness.queue.heartbeat(jobID: job.id, workerID: "intruder") }
        #expect(intruder?.description == "job \(job.id) is leased by worker w, not intruder")
    }

    @Test("retryable failures back off exponentially with jitter, then go dead")
    func backoff() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit(maxAttempts: 3)
        // Attempt n waits half of min(cap, base × 2^(n−1)) plus jitter (0.5 here) times the other half.
        for (attempt, wait) in [(1, 750), (2, 1500)] {
            let taken = try #require(try await harness.queue.take(workerID: "w", types: ["ml_training"]))
            #expect(taken.attempts == attempt)
            // A take after a backoff clears it and keeps the failure as the last error.
            #expect(taken.runAfter == nil && taken.error == nil && taken.errorKind == nil, "\(taken)")
            #expect(taken.lastError == (attempt == 1 ? nil : "flaky \(attempt - 1)"), "\(taken)")
            let status = try await harness.queue.finish(
                jobID: job.id, workerID: "w",
                outcome: .failed(message: "flaky \(attempt)", kind: .retryableFailure, retryable: true))
            #expect(status == .queued)
            #expect(try await harness.queue.job(job.id).runAfter == harness.clock.nowMilliseconds() + Int64(wait))
            harness.clock.advance(by: .milliseconds(Int64(wait - 1)))
            #expect(
                try await harness.queue.take(workerID: "w", types: ["ml_training"]) == nil,
                "taken before its backoff ended")
            harness.clock.advance(by: .milliseconds(1))
        }
        _ = try #require(try await harness.queue.take(workerID: "w", types: ["ml_training"]))
        let final = try await harness.queue.finish(
            jobID: job.id, workerID: "w", outcome: .failed(message: "flaky 3", kind: .retryableFailure, retryable: true)
        )
        #expect(final == .dead)
        let dead = try await harness.queue.job(job.id)
        #expect(dead.error == "flaky 3" && dead.attempts == 3 && dead.finishedAt != nil)
    }

    @Test("the backoff is capped")
    func backoffCap() async throws {
        let harness = try await QueueHarness.make { $0.backoffBase = .seconds(3) }
        let job = try await harness.submit(maxAttempts: 5)
        for _ in 1...3 {
            harness.clock.advance(by: .seconds(10))
            _ = try #require(try await harness.queue.take(workerID: "w", types: ["ml_training"]))
            try await harness.queue.finish(
                jobID: job.id, workerID: "w", outcome: .failed(message: "x", kind: .retryableFailure, retryable: true))
        }
        // Attempt 3: min(4 s cap, 3 s × 4) = 4 s → 2 s + 0.5 × 2 s.
        #expect(try await harness.queue.job(job.id).runAfter == harness.clock.nowMilliseconds() + 3000)
    }

    @Test("a permanent failure ends as failed at once; retry gives it fresh attempts")
    func permanentFailureAndRetry() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit(maxAttempts: 3)
        _ = try await harness.queue.take(workerID: "w", types: ["ml_training"])
        #expect(
            try await harness.queue.finish(
                jobID: job.id, workerID: "w",
                outcome: .failed(message: "bad column", kind: .invalidInput, retryable: false))
                == .failed)
        let retried = try await harness.queue.retry(job.id)
        #expect(retried.status == .queued && retried.attempts == 0 && retried.lastError == "bad column")
        #expect(retried.manualRetries == 1 && retried.error == nil && retried.finishedAt == nil)
        #expect(try await harness.queue.take(workerID: "w", types: ["ml_training"])?.id == job.id)
        try await harness.queue.finish(jobID: job.id, workerID: "w", outcome: .succeeded(result: ["rows": 3]))
        let done = try await harness.queue.job(job.id)
        #expect(done.status == .succeeded && done.result == ["rows": 3] && done.progress == 1)
        let retryDone = await queueError { _ = try await harness.queue.retry(job.id) }
        #expect(retryDone?.description == "job \(job.id) cannot move from succeeded to queued")
    }

    @Test("finished jobs expire after the retention; active ones never do")
    func retention() async throws {
        let harness = try await QueueHarness.make { $0.retention = .seconds(3600) }
        let done = try await harness.submit()
        let waiting = try await harness.submit()
        _ = try await harness.queue.take(workerID: "w", types: ["ml_training"])
        try await harness.queue.finish(jobID: done.id, workerID: "w", outcome: .succeeded(result: nil))
        let namespace = harness.queue.configuration.namespace
        let doneTTL = try await harness.redis.execute(["TTL", "\(namespace):job:\(done.id)"]).int ?? 0
        #expect((3590...3600).contains(doneTTL))
        #expect(try await harness.redis.execute(["TTL", "\(namespace):job:\(waiting.id)"]).int == -1)
    }
}

@Suite("Cancellation and logs")
struct QueueCancelTests {
    @Test("a queued job is cancelled at once and never taken")
    func cancelQueued() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit()
        guard case .cancelled(let record) = try await harness.queue.cancel(job.id) else {
            Issue.record("expected an immediate cancel")
            return
        }
        #expect(record.status == .cancelled)
        #expect(try await harness.queue.take(workerID: "w", types: ["ml_training"]) == nil)
        let again = await queueError { _ = try await harness.queue.cancel(job.id) }
        #expect(again?.description == "job \(job.id) is already cancelled")
    }

    @Test("a running job's worker learns of the cancel on its heartbeat and confirms it")
    func cancelRunning() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit()
        _ = try await harness.queue.take(workerID: "w", types: ["ml_training"])
        guard case .requested = try await harness.queue.cancel(job.id) else {
            Issue.record("expected a cancel request")
            return
        }
        #expect(try await harness.queue.heartbeat(jobID: job.id, workerID: "w"))
        #expect(
            try await harness.queue.finish(jobID: job.id, workerID: "w", outcome: .cancelled(message: "stopped"))
                == .cancelled)
    }

    @Test("a cancel requested for a job whose worker died ends it cancelled, not requeued")
    func cancelThenWorkerDies() async throws {
        let harness = try await QueueHarness.make()
        let job = try await harness.submit()
        _ = try await harness.queue.take(workerID: "w", types: ["ml_training"])
        _ = try await harness.queue.cancel(job.id)
        harness.clock.advance(by: .seconds(11))
        #expect(try await harness.queue.reap().cancelled == 1)
        #expect(try await harness.queue.job(job.id).status == .cancelled)
    }

    @Test("logs keep the newest lines up to the cap and count the dropped ones")
    func logCap() async throws {
        let harness = try await QueueHarness.make { $0.logLinesPerJob = 3 }
        let job = try await harness.submit()
        try await harness.queue.appendLogs(
            jobID: job.id, lines: (1...5).map { LogLine(time: Int64($0), level: "info", message: "line \($0)") })
        #expect(try await harness.queue.logs(job.id).map(\.message) == ["line 3", "line 4", "line 5"])
        #expect(try await harness.queue.job(job.id).logsDropped == 2)
        let missing = await queueError {
            try await harness.queue.appendLogs(jobID: "missing", lines: [LogLine(time: 1, level: "info", message: "x")])
        }
        #expect(missing?.description == "job missing not found (it never existed or expired after its retention)")
    }

    @Test("an unknown job is not found, named")
    func notFound() async throws {
        let harness = try await QueueHarness.make()
        let error = await queueError { _ = try await harness.queue.job("nope") }
        #expect(error?.description == "job nope not found (it never existed or expired after its retention)")
    }
}

@Suite("Redis outages")
struct QueueOutageTests {
    @Test("while Redis is down calls fail as unavailable; after a restart that lost everything, functions reload")
    func restartWithoutPersistence() async throws {
        let server = try await RedisServer.start()
        let harness = try await QueueHarness.make(url: server.url)
        _ = try await harness.submit()
        await server.kill()
        let down = await queueError { _ = try await harness.submit() }
        #expect(down?.description.hasPrefix("the queue's Redis is unavailable: Redis 127.0.0.1:\(server.port)") == true)
        try await server.restart()
        // The data and the function library were in memory only; the next call loads the library
        // again. Right after the restart the client may still be inside its fail-fast window
        // (a connect failed under 250 ms ago), so retry as a caller would, for at most 2 s.
        var submitted: JobRecord?
        for _ in 0..<20 where submitted == nil {
            do {
                submitted = try await harness.submit()
            } catch QueueError.unavailable {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let job = try #require(submitted)
        #expect(try await harness.queue.job(job.id).status == .queued)
        #expect(try await harness.queue.stats().counts[.queued] == 1)
        await server.stop()
    }
}

@Suite("Lease length")
struct LeaseLengthTests {
    @Test("renewals keep the lease length the job was taken with, whoever relays them")
    func renewalKeepsTakersLease() async throws {
        let worker = try await QueueHarness.make { $0.leaseDuration = .seconds(60) }
        let job = try await worker.submit()
        _ = try await worker.queue.take(workerID: "w", types: ["ml_training"])
        // The orchestrator relays the heartbeat with its own (shorter) default.
        let relay = JobQueue(
            redis: worker.redis,
            configuration: QueueConfiguration(
                namespace: worker.queue.configuration.namespace, leaseDuration: .seconds(5)),
            clock: worker.clock, logger: quietLogger)
        worker.clock.advance(by: .seconds(30))
        _ = try await relay.heartbeat(jobID: job.id, workerID: "w")
        #expect(try await worker.queue.job(job.id).leaseExpiresAt == worker.clock.nowMilliseconds() + 60_000)
    }
}

@Suite("Index upkeep")
struct IndexUpkeepTests {
    @Test("finished jobs leave the status counts once their retention has passed")
    func countsForgetExpiredJobs() async throws {
        let harness = try await QueueHarness.make { $0.retention = .seconds(60) }
        let job = try await harness.submit()
        _ = try await harness.queue.take(workerID: "w", types: ["ml_training"])
        try await harness.queue.finish(jobID: job.id, workerID: "w", outcome: .succeeded(result: nil))
        #expect(try await harness.queue.stats().counts[.succeeded] == 1)
        harness.clock.advance(by: .seconds(61))
        _ = try await harness.queue.reap()
        #expect(try await harness.queue.stats().counts[.succeeded] == 0)
    }
}
