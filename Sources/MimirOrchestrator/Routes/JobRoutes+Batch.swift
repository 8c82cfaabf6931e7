import HTTPTypes
import Hummingbird
import MimirCore
import MimirQueue

extension JobRoutes {
    /// `POST /api/job-batches`: many jobs in one request and one Redis call, all or none (like
    /// Sidekiq's `push_bulk`). The answer lists the jobs in the order they were sent.
    /// With `Prefer: return=minimal`, the answer is the jobs' ids only (`JobBatchIDs`).
    func submitBatch(_ request: Request, caller: Caller?) async throws -> Response {
        let key = try Self.idempotencyKey(of: request)
        let preference = ReturnPreference(request.headers)
        let jobs = try validator.validateBatch(try await JSONBody.read(request, limits: bodyLimits))
        let entry = audit.submission(by: caller)
        switch try await run({ () async throws(QueueError) in
            try await queue.submitBatch(jobs, idempotencyKey: key, audit: entry)
        }) {
        case .created(let records):
            var perType: [String: Int] = [:]
            for record in records { perType[record.type, default: 0] += 1 }
            for (type, count) in perType { metrics.submitted(type: type, count: count) }
            scaler.submitted(types: perType.keys)
            audit.loggedBatch(caller, records)
            return batchAnswer(.created, records, preference)
        case .existing(let records):
            return batchAnswer(.ok, records, preference, headers: [Self.idempotentReplayed: "true"])
        }
    }

    private func batchAnswer(
        _ status: HTTPResponse.Status, _ records: [JobRecord], _ preference: ReturnPreference,
        headers: HTTPFields = [:]
    ) -> Response {
        guard preference == .minimal else {
            return JSONResponse.make(
                status, json: JobRepresentation.listBytes("jobs", records, waitingReason: waitingReason(for:)),
                headers: headers)
        }
        var fields = headers
        fields[ReturnPreference.preferenceApplied] = "return=minimal"
        return JSONResponse.make(status, ["ids": .array(records.map { .string($0.id) })], headers: fields)
    }
}
