import MimirCore

extension JobQueue {
    /// The most jobs one batch may hold: about a megabyte of arguments for small specs, and one
    /// Redis function call short enough not to hold up other clients for long.
    public static let maximumBatchSize = 1000

    /// Adds many jobs in one Redis call, all or none: when any type's queue cannot take its share
    /// of the batch, nothing is added and the error names that type. With an idempotency key, a
    /// repeat of the same batch returns the jobs it created; a different batch with the same key
    /// is refused. Batch keys are apart from single submissions' keys.
    ///
    /// With `audit`, each created job's audit entry is added in the same call.
    public func submitBatch(
        _ jobs: [NewJob], idempotencyKey: String? = nil, audit: SubmitAudit? = nil
    ) async throws(QueueError) -> BatchSubmitResult {
        guard !jobs.isEmpty else { return .created([]) }
        guard jobs.count <= Self.maximumBatchSize else {
            throw .batchTooLarge(count: jobs.count, limit: Self.maximumBatchSize)
        }
        let now = clock.nowMilliseconds()
        let ids = jobs.map { _ in RandomUUID.make() }
        var arguments = [
            String(now), String(configuration.maxQueuedPerType),
            audit.map { String($0.capacity) } ?? "", audit?.caller ?? "", audit?.role ?? "",
            idempotencyKey ?? "", idempotencyKey == nil ? "" : Self.fingerprint(of: jobs),
            String(configuration.idempotencyKeyLifetime.wholeSeconds),
        ]
        arguments.reserveCapacity(arguments.count + jobs.count * 11)
        for (id, job) in zip(ids, jobs) {
            arguments += [
                id, job.type, String(job.priority), String(job.maxAttempts), job.projectID, job.spec.jsonText(),
            ]
            arguments += job.requirements.arguments
        }
        let reply = try await call(.submitBatch, arguments, jobID: ids[0], jobType: jobs[0].type)
        guard let parts = reply.array, parts.count == 3, let outcome = parts[0].string,
            let answeredIDs = parts[1].array?.compactMap(\.string), let records = parts[2].array
        else {
            throw .corrupt("mimir_submit_batch answered \(reply)")
        }
        switch outcome {
        case "created":
            guard answeredIDs == ids else {
                throw .corrupt("mimir_submit_batch created jobs \(answeredIDs), not the ones it was given")
            }
            return .created(
                zip(ids, jobs).map { JobRecord(accepted: $1, id: $0, at: now, idempotencyKey: nil) })
        case "conflict":
            throw .idempotencyConflict(key: idempotencyKey ?? "", existingJobID: answeredIDs.first ?? "")
        case "existing":
            var existing: [JobRecord] = []
            for (id, reply) in zip(answeredIDs, records) {
                guard let fields = Self.fields(reply), !fields.isEmpty else { throw .notFound(jobID: id) }
                guard let record = JobRecord(fields: fields) else { throw .corrupt("job \(id) lacks required fields") }
                existing.append(record)
            }
            return .existing(existing)
        default:
            throw .corrupt("mimir_submit_batch answered \(reply)")
        }
    }

    /// What identifies "the same batch" for idempotent submission: its jobs, in order.
    static func fingerprint(of jobs: [NewJob]) -> String {
        "batch:" + JSONValue.array(jobs.map { job in .string(job.fingerprint) }).jsonText()
    }
}
