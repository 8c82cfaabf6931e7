extension JobQueue {
    /// The job, when it already ended as `workerID`'s `outcome` says: the worker's end, refused
    /// because the job is no longer running under it, is the one that ended it. So it is when a
    /// worker repeats a report whose answer it lost (a 503 after Redis had run the call, or a
    /// dropped connection), as the API tells clients to. Nil when the job ended otherwise (another
    /// worker, another outcome, the reaper's "lease expired") or is gone; throws when Redis cannot
    /// be read, so that the worker hears to try again rather than of a conflict.
    public func recordedEnd(jobID: String, workerID: String, outcome: AttemptOutcome) async throws(QueueError)
        -> JobRecord?
    {
        let record: JobRecord
        do {
            record = try await job(jobID)
        } catch .notFound {
            return nil
        }
        let claim = EndClaim(workerID: workerID, attempt: nil, outcome: outcome)
        return claim.wentIn(EndClaim.JobState(record)) == nil ? nil : record
    }
}
