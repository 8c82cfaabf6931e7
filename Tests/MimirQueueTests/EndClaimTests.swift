import Testing

@testable import MimirQueue

@Suite("Telling whether an end went in with a report that got no answer")
struct EndClaimTests {
    static let failure = AttemptOutcome.failed(message: "disk full", kind: .retryableFailure, retryable: true)

    /// A job's fields in `EndClaim.fields` order.
    static func job(_ status: String, worker: String = "w-1", attempts: String = "2", error: String? = nil)
        -> [String?]
    {
        [status, worker, attempts, error]
    }

    @Test(
        "the end is recognised only in the job it left: this worker, this attempt, this outcome",
        arguments: [
            (AttemptOutcome.succeeded(result: nil), job("succeeded"), "succeeded"),
            (.succeeded(result: nil), job("succeeded", worker: "w-2"), "-"),
            (.succeeded(result: nil), job("succeeded", attempts: "3"), "-"),
            (.succeeded(result: nil), job("failed", error: "x"), "-"),
            (failure, job("queued", error: "disk full"), "queued"),
            (failure, job("dead", error: "poison pill: crashed its executor 3 times (last: disk full)"), "dead"),
            (
                failure, job("cancelled", error: "cancelled while it ran (its last attempt failed: disk full)"),
                "cancelled"
            ),
            // The reaper ended the attempt: its error is the lease's, not this end's.
            (failure, job("queued", error: "lease expired: worker w-1 stopped renewing it (attempt 2 of 3)"), "-"),
            (.cancelled(message: "stopped by its user"), job("cancelled", error: "stopped by its user"), "cancelled"),
            (.cancelled(message: "stopped by its user"), job("cancelled", error: "lease expired"), "-"),
            (.succeeded(result: nil), [nil, nil, nil, nil], "-"),
        ])
    func recognised(outcome: AttemptOutcome, fields: [String?], expected: String) {
        let claim = EndClaim(workerID: "w-1", attempt: 2, outcome: outcome)
        #expect((claim.wentIn(fields)?.rawValue ?? "-") == expected)
    }
}
