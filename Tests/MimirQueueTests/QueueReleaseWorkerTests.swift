import MimirCore
import MimirQueue
import MimirTestSupport
import Testing

@Suite("Releasing a dead worker's jobs")
struct QueueReleaseWorkerTests {
    @Test("a gone worker's running jobs are requeued, cancelled or dead at once; others are untouched")
    func releasesOnlyThatWorkersRunningJobs() async throws {
        let harness = try await QueueHarness.make()
        let requeued = try await harness.submit()
        let cancelled = try await harness.submit()
        let elsewhere = try await harness.submit()
        let finished = try await harness.submit()
        let lastAttempt = try await harness.submit(maxAttempts: 1)
        #expect(try await harness.queue.take(workerID: "w1", types: ["ml_training"])?.id == requeued.id)
        #expect(try await harness.queue.take(workerID: "w1", types: ["ml_training"])?.id == cancelled.id)
        #expect(try await harness.queue.take(workerID: "w2", types: ["ml_training"])?.id == elsewhere.id)
        #expect(try await harness.queue.take(workerID: "w1", types: ["ml_training"])?.id == finished.id)
        #expect(try await harness.queue.take(workerID: "w1", types: ["ml_training"])?.id == lastAttempt.id)
        _ = try await harness.queue.cancel(cancelled.id)
        _ = try await harness.queue.finish(jobID: finished.id, workerID: "w1", outcome: .succeeded(result: nil))

        let report = try await harness.queue.releaseWorker("w1", reason: "killed by signal 9")
        #expect(report == ReapReport(requeued: 1, dead: 1, cancelled: 1, promoted: 0))
        let back = try await harness.queue.job(requeued.id)
        #expect(back.status == .queued && back.errorKind == "lease_expired")
        #expect(back.error == "worker w1 is gone (killed by signal 9) (attempt 1 of 3)")
        #expect(try await harness.queue.job(cancelled.id).status == .cancelled)
        #expect(try await harness.queue.job(lastAttempt.id).status == .dead)
        #expect(try await harness.queue.job(finished.id).status == .succeeded)
        let other = try await harness.queue.job(elsewhere.id)
        #expect(other.status == .running && other.workerID == "w2")

        // The dead worker cannot finish what it gave back; the job runs again elsewhere.
        let late = await queueError {
            try await harness.queue.finish(jobID: requeued.id, workerID: "w1", outcome: .succeeded(result: nil))
        }
        #expect(late != nil)
        let again = try #require(try await harness.queue.take(workerID: "w2", types: ["ml_training"]))
        #expect(again.id == requeued.id && again.attempts == 2)
        // Releasing again changes nothing: the job is w2's now.
        #expect(
            try await harness.queue.releaseWorker("w1", reason: "again")
                == ReapReport(requeued: 0, dead: 0, cancelled: 0, promoted: 0))
        #expect(try await harness.queue.job(requeued.id).status == .running)
        // The reaper no longer sees the released jobs as in flight.
        harness.clock.advance(by: .seconds(11))
        #expect(try await harness.queue.reap().requeued == 2)
    }
}
