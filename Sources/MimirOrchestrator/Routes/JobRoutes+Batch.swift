import HTTPTypes
import Hummingbird
import MimirCore
import MimirQueue

extension JobRoutes {
    /// `POST /api/job-batches`: many jobs in one request and one Redis call, all or none (like
    /// Sidekiq's `push_bulk`). The answer lists the jobs in the order they were sent.
    func submitBatch(_ request: Request, caller: Caller?) async throws -> Response {
        let key = try Self.idempotencyKey(of: request)
        let jobs = try validator.validateBatch(try await JSONBody.read(request, limits: bodyLimits))
        let entry = audit.submission(by: caller)
        switch try await run({ () async throws(QueueError) in
            try await queue.submitBatch(jobs, idempotencyKey: key, audit: entry)
        }) {
        case .created(let records):
            var perType: [String: Int] = [:]
            for record in records { perType[record.type, default: 0] += 1 }
            for (type, count) in perType { metrics.submitted(type: type, count: count) }
            audit.loggedBatch(caller, records)
            return batchAnswer(.created, records)
        case .existing(let records):
            return batchAnswer(.ok, records, headers: [Self.idempotentReplayed: "true"])
        }
    }

    private func batchAnswer(_ status: HTTPResponse.Status, _ records: [JobRecord], headers: HTTPFields = [:])
        -> Response
    {
        JSONResponse.make(
            status,
            json: JobRepresentation.listBytes(
                "jobs", records, waitingReason: waitingReason(for:)),
            headers: headers)
    }
}
