extension JobQueue {
    /// Gives back, at once, every job `workerID` was running, for a worker known to be gone (its
    /// process exited): each goes back to its queue as a new attempt, or to the dead letter on its
    /// last attempt, or is cancelled if that was asked, as if its lease had expired, without
    /// waiting for the lease. Jobs no longer running under that worker are left alone, so a job is
    /// never finished twice. Returns the jobs requeued, dead and cancelled (`promoted` is 0).
    public func releaseWorker(_ workerID: String, reason: String) async throws(QueueError) -> ReapReport {
        let reply = try await call(
            .releaseWorker,
            [workerID, String(clock.nowMilliseconds()), String(configuration.retention.wholeSeconds), reason],
            caller: workerID)
        guard let counts = reply.array?.compactMap(\.int), counts.count == 3 else {
            throw .corrupt("mimir_release_worker answered \(reply)")
        }
        return ReapReport(requeued: Int(counts[0]), dead: Int(counts[1]), cancelled: Int(counts[2]), promoted: 0)
    }
}
