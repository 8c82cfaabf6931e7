import HTTPTypes
import Hummingbird
import MimirCore
import MimirQueue

/// `/api/jobs`: submission, listing, one job, worker updates, cancel, retry, logs.
struct JobRoutes: Sendable {
    let queue: JobQueue
    let validator: JobSubmissionValidator
    let metrics: OrchestratorMetrics
    let bodyLimits: BodyLimits
    let audit: AuditLog
    /// Told of every accepted job's type, so that work no worker is there for starts one at once.
    let scaler: Scaler

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!

    func register(on router: Router<OrchestratorRequestContext>) {
        router.post("/api/jobs") { request, context in try await submit(request, caller: context.caller) }
        router.post("/api/job-batches") { request, context in try await submitBatch(request, caller: context.caller) }
        router.get("/api/jobs") { request, _ in try await list(request) }
        router.get("/api/jobs/:id") { _, context in
            let jobID = try id(context)
            return answer(.ok, job: try await run { () async throws(QueueError) in try await queue.job(jobID) })
        }
        router.post("/api/jobs/:id") { request, context in try await update(request, id: try id(context)) }
        router.post("/api/jobs/:id/cancel") { _, context in try await cancel(try id(context), caller: context.caller) }
        router.post("/api/jobs/:id/retry") { _, context in
            let jobID = try id(context)
            let record = try await run { () async throws(QueueError) in try await queue.retry(jobID) }
            scaler.submitted(types: CollectionOfOne(record.type))
            await audit.record(context.caller, .retry, jobID: record.id, jobType: record.type)
            return answer(.ok, job: record)
        }
        router.get("/api/jobs/:id/logs") { request, context in try await logs(request, id: try id(context)) }
    }

    /// Why a job waits, when no live worker can take it: the API shows it with the job.
    func waitingReason(for record: JobRecord) -> String? {
        validator.catalog?.waitingReason(for: record)
    }

    /// An answer whose body is one job, as the API shows it.
    func answer(_ status: HTTPResponse.Status, job record: JobRecord, headers: HTTPFields = [:]) -> Response {
        JSONResponse.make(
            status,
            json: JobRepresentation.jsonBytes(record, waitingReason: waitingReason(for: record)),
            headers: headers)
    }

    private func id(_ context: OrchestratorRequestContext) throws(APIError) -> String {
        guard let id = context.parameters.get("id"), (1...128).contains(id.utf8.count),
            id.utf8.allSatisfy({ $0 > 32 && $0 < 127 })
        else {
            throw APIError.badRequest("invalid_id", "a job id is 1 to 128 visible ASCII characters")
        }
        return id
    }

    /// The request's Idempotency-Key, if it has a well-formed one.
    static func idempotencyKey(of request: Request) throws(APIError) -> String? {
        let key = request.headers[Self.idempotencyKey]
        if let key,
            key.isEmpty || key.utf8.count > 255
                || !key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 })
        {
            throw APIError.badRequest(
                "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters without spaces")
        }
        return key
    }

    /// With `Prefer: return=minimal`, the answer is the job's id only (`JobID`).
    private func submit(_ request: Request, caller: Caller?) async throws -> Response {
        let key = try Self.idempotencyKey(of: request)
        let preference = ReturnPreference(request.headers)
        let job = try validator.validate(try await JSONBody.read(request, limits: bodyLimits))
        let entry = audit.submission(by: caller)
        switch try await run({ () async throws(QueueError) in
            try await queue.submit(job, idempotencyKey: key, audit: entry)
        }) {
        case .created(let record):
            metrics.submitted(type: record.type)
            scaler.submitted(types: CollectionOfOne(record.type))
            audit.logged(caller, .submit, jobID: record.id, jobType: record.type)
            return submissionAnswer(.created, record, preference, headers: [.location: "/api/jobs/\(record.id)"])
        case .existing(let record):
            return submissionAnswer(
                .ok, record, preference,
                headers: [.location: "/api/jobs/\(record.id)", Self.idempotentReplayed: "true"])
        }
    }

    private func submissionAnswer(
        _ status: HTTPResponse.Status, _ record: JobRecord, _ preference: ReturnPreference, headers: HTTPFields
    ) -> Response {
        guard preference == .minimal else { return answer(status, job: record, headers: headers) }
        var fields = headers
        fields[ReturnPreference.preferenceApplied] = "return=minimal"
        return JSONResponse.make(status, ["id": .string(record.id)], headers: fields)
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var status: JobStatus?
        if let text = query.get("status") {
            guard let parsed = JobStatus(rawValue: text) else {
                throw APIError(
                    status: .badRequest, code: "invalid_query",
                    message:
                        "status: unknown status \"\(text)\" (one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", ")))",
                    problems: [APIError.Problem(field: "status", message: "unknown status \"\(text)\"")])
            }
            status = parsed
        }
        let type = query.get("type")
        if let type, !Identifiers.isValidJobType(type) {
            throw APIError.badRequest(
                "invalid_query", "type: \"\(type)\" is not a job type (\(Identifiers.jobTypeRule))")
        }
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...500).contains(value) else {
                throw APIError.badRequest("invalid_query", "limit: must be an integer from 1 to 500, got \"\(text)\"")
            }
            limit = value
        }
        let cursor = query.get("cursor")
        // Cursors are index scores this API handed out: whole numbers written in ASCII digits.
        if let cursor, cursor.isEmpty || cursor.utf8.count > 20 || !cursor.utf8.allSatisfy({ (48...57).contains($0) }) {
            throw APIError.badRequest("invalid_query", "cursor: not a cursor returned by this API")
        }
        let page = try await run { () async throws(QueueError) in
            try await queue.list(status: status, type: type, cursor: cursor, limit: limit)
        }
        let stats = try await run { () async throws(QueueError) in try await queue.stats() }
        return JSONResponse.make(
            .ok,
            json: JobRepresentation.listBytes(
                "jobs", page.jobs,
                followedBy: [
                    ("next_cursor", page.nextCursor.map(JSONValue.string) ?? .null),
                    ("queue", JobRepresentation.json(stats)),
                ], waitingReason: waitingReason(for:)))
    }

    private func cancel(_ id: String, caller: Caller?) async throws -> Response {
        let outcome = try await run({ () async throws(QueueError) in try await queue.cancel(id) })
        switch outcome {
        case .cancelled(let record), .requested(let record):
            await audit.record(caller, .cancel, jobID: record.id, jobType: record.type)
        }
        switch outcome {
        case .cancelled(let record):
            return answer(.ok, job: record)
        case .requested(let record):
            // Accepted: the worker running it stops it and confirms.
            return answer(.accepted, job: record)
        }
    }

    private func logs(_ request: Request, id: String) async throws -> Response {
        let query = request.uri.queryParameters
        let offset = try Self.integer(query.get("offset"), name: "offset", range: 0...Int(Int32.max), default: 0)
        let limit = try Self.integer(query.get("limit"), name: "limit", range: 1...10_000, default: 1000)
        let record = try await run { () async throws(QueueError) in try await queue.job(id) }
        // Offsets count every line the job ever logged, so they stay valid while old lines are
        // dropped: the oldest kept line has offset `dropped`.
        let start = max(offset, record.logsDropped)
        let lines = try await run { () async throws(QueueError) in
            try await queue.logs(id, offset: start - record.logsDropped, limit: limit)
        }
        return JSONResponse.make(
            .ok,
            [
                "job_id": .string(id),
                "lines": .array(
                    lines.map {
                        [
                            "time": .string(UTCTimestamp.format(milliseconds: $0.time)), "level": .string($0.level),
                            "message": .string($0.message),
                        ]
                    }),
                "dropped": .integer(Int64(record.logsDropped)),
                "first_offset": .integer(Int64(start)),
                "next_offset": .integer(Int64(start + lines.count)),
            ])
    }

    static func integer(_ text: String?, name: String, range: ClosedRange<Int>, default value: Int) throws(APIError)
        -> Int
    {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest(
                "invalid_query",
                "\(name): must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return number
    }
}
