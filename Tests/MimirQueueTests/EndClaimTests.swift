import Testing

@testable import MimirQueue

@Suite("Telling whether an end went in with a report that got no answer")
struct EndClaimTests {
    static let failure = AttemptOutcome.failed(message: "disk full", kind: .retryableFailure, retryable: true)

    static func job(
        _ status: JobStatus, worker: String = "w-1", attempts: Int = 2, error: String? = nil, kind: String? = nil,
        startedAt: Int64 = 1_700_000_000_000
    ) -> EndClaim.JobState {
        EndClaim.JobState(
            status: status, workerID: worker, attempts: attempts, error: error,
            errorKind: kind ?? error.map { _ in "retryable_failure" }, startedAt: startedAt)
    }

    static let reaped = "lease expired: worker w-1 stopped renewing it (attempt 2 of 3)"

    @Test(
        "the end is recognised only in the job it left: this worker, this attempt, this outcome",
        arguments: [
            (AttemptOutcome.succeeded(result: nil), job(.succeeded), "succeeded"),
            (.succeeded(result: nil), job(.succeeded, worker: "w-2"), "-"),
            (.succeeded(result: nil), job(.succeeded, attempts: 3), "-"),
            (.succeeded(result: nil), job(.failed, error: "x"), "-"),
            (failure, job(.queued, error: "disk full"), "queued"),
            (failure, job(.dead, error: "poison pill: crashed its executor 3 times (last: disk full)"), "dead"),
            (
                failure, job(.cancelled, error: "cancelled while it ran (its last attempt failed: disk full)"),
                "cancelled"
            ),
            // The reaper ended the attempt: its error is the lease's, not this end's.
            (failure, job(.queued, error: reaped, kind: "lease_expired"), "-"),
            // Even when the worker's message is in the reaper's.
            (
                .failed(message: "lease expired", kind: .retryableFailure, retryable: true),
                job(.queued, error: reaped, kind: "lease_expired"), "-"
            ),
            (.cancelled(message: "stopped by its user"), job(.cancelled, error: "stopped by its user"), "cancelled"),
            (.cancelled(message: "stopped by its user"), job(.cancelled, error: "lease expired"), "-"),
            (.succeeded(result: nil), EndClaim.JobState(), "-"),
            // Attempt 2 of another take: the job was retried, its attempts counted from 0 again.
            (.succeeded(result: nil), job(.succeeded, startedAt: 1_700_000_009_000), "-"),
        ])
    func recognised(outcome: AttemptOutcome, fields: EndClaim.JobState, expected: String) {
        let claim = EndClaim(workerID: "w-1", attempt: 2, startedAt: 1_700_000_000_000, outcome: outcome)
        #expect((claim.wentIn(fields)?.rawValue ?? "-") == expected)
    }

    @Test("a job running here again on a later take (another attempt, or the same number started later) is told apart")
    func laterTake() {
        let claim = EndClaim(workerID: "w-1", attempt: 2, startedAt: 1_700_000_000_000, outcome: Self.failure)
        #expect(claim.laterTakeHere(Self.job(.running)) == nil, "the take this end is for")
        #expect(claim.laterTakeHere(Self.job(.running, attempts: 3, startedAt: 1_700_000_005_000))?.attempt == 3)
        #expect(claim.laterTakeHere(Self.job(.running, startedAt: 1_700_000_009_000))?.startedAt == 1_700_000_009_000)
        #expect(claim.laterTakeHere(Self.job(.running, worker: "w-2", attempts: 3)) == nil, "another worker's")
        #expect(claim.laterTakeHere(Self.job(.queued, attempts: 3)) == nil)
        let unknown = EndClaim(workerID: "w-1", attempt: 2, outcome: Self.failure)
        #expect(unknown.laterTakeHere(Self.job(.running, attempts: 3)) == nil, "its take is not known")
    }
}

extension EndClaimTests {
    @Test("the job's state is read from its hash fields in their order; a reply short of a field is none")
    func stateFromFields() {
        let fields: [String?] = ["running", "w-1", "2", nil, nil, "1700000000000"]
        #expect(EndClaim.JobState(fields: fields) == Self.job(.running))
        #expect(EndClaim.JobState(fields: Array(fields.dropLast())) == nil)
    }

    @Test("an end whose attempt is not known (a report over the REST API) matches any attempt of its worker")
    func anyAttempt() {
        let claim = EndClaim(workerID: "w-1", attempt: nil, outcome: Self.failure)
        #expect(claim.wentIn(Self.job(.failed, attempts: 3, error: "disk full")) == .failed)
        #expect(claim.wentIn(Self.job(.failed, worker: "w-2", error: "disk full")) == nil)
        #expect(claim.wentIn(Self.job(.dead, error: Self.reaped, kind: "lease_expired")) == nil)
    }
}
