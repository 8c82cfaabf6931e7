import Hummingbird
import MimirCore
import MimirQueue

/// `/api/workers` and `/api/capabilities`: workers register and heartbeat; users see every
/// worker, its capabilities, and which job types can run where.
struct WorkerRoutes: Sendable {
    let directory: WorkerDirectory
    let catalog: CapabilityCatalog
    let configuredTypes: [String]
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        router.post("/api/workers") { request, _ in try await register(request) }
        router.get("/api/workers") { _, _ in
            let workers = try await run { () async throws(QueueError) in try await directory.all() }
            let now = SystemQueueClock().nowMilliseconds()
            return JSONResponse.make(.ok, ["workers": .array(workers.map { Self.json($0, now: now) })])
        }
        router.get("/api/workers/:id") { _, context in
            let id = try workerID(context)
            guard let worker = try await run({ () async throws(QueueError) in try await directory.worker(id) }) else {
                throw APIError.notFound("worker \(id) is not registered (or was forgotten after going silent)")
            }
            return JSONResponse.make(.ok, Self.json(worker, now: SystemQueueClock().nowMilliseconds()))
        }
        router.post("/api/workers/:id/heartbeat") { request, context in
            try await heartbeat(request, id: try workerID(context))
        }
        router.delete("/api/workers/:id") { _, context in
            let id = try workerID(context)
            try await run { () async throws(QueueError) in try await directory.remove(id: id) }
            return Response(status: .noContent)
        }
        router.get("/api/capabilities") { _, _ in JSONResponse.make(.ok, capabilities()) }
    }

    private func workerID(_ context: BasicRequestContext) throws(APIError) -> String {
        guard let id = context.parameters.get("id"), Self.isValidWorkerID(id) else {
            throw APIError.badRequest("invalid_id", "a worker id is 1 to 128 visible ASCII characters")
        }
        return id
    }

    static func isValidWorkerID(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "/") }
    }

    private func register(_ request: Request) async throws -> Response {
        let body = try await JSONBody.read(request, limit: maxBodyBytes)
        let document = try WorkerRegistration.validate(body)
        guard let id = document["id"]?.stringValue else { throw APIError.badRequest("invalid_worker", "id missing") }
        try await run { () async throws(QueueError) in try await directory.register(id: id, document: document) }
        guard let worker = try await run({ () async throws(QueueError) in try await directory.worker(id) }) else {
            throw APIError(status: .internalServerError, code: "internal", message: "the registration was not stored")
        }
        return JSONResponse.make(.ok, Self.json(worker, now: SystemQueueClock().nowMilliseconds()))
    }

    private func heartbeat(_ request: Request, id: String) async throws -> Response {
        let body = try await JSONBody.read(request, limit: maxBodyBytes)
        var problems = Problems()
        let fields = problems.object(body, at: "(body)") ?? [:]
        problems.refuseUnknown(fields, allowed: ["status", "running_jobs"], at: "")
        let status = fields["status"].flatMap { problems.string($0, at: "status", nonEmpty: true) } ?? "idle"
        if !["idle", "busy", "draining"].contains(status) {
            problems.add("status", "must be idle, busy or draining, got \"\(status)\"")
        }
        let running = fields["running_jobs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let value = fields["running_jobs"], value.arrayValue == nil {
            problems.add("running_jobs", "must be an array of job ids, got \(value.typeName)")
        }
        guard problems.isEmpty else { throw problems.error(code: "invalid_worker") }
        let known = try await run { () async throws(QueueError) in
            try await directory.heartbeat(id: id, status: status, runningJobs: running)
        }
        guard known, let worker = try await run({ () async throws(QueueError) in try await directory.worker(id) })
        else {
            throw APIError.notFound("worker \(id) is not registered: register again (POST /api/workers)")
        }
        return JSONResponse.make(.ok, Self.json(worker, now: SystemQueueClock().nowMilliseconds()))
    }

    /// A worker as the API shows it; `status` is `lost` once it has been silent too long.
    static func json(_ worker: WorkerRecord, now: Int64) -> JSONValue {
        let lost = now - worker.heartbeatAt > CapabilityCatalog.lostAfter.milliseconds
        var fields = worker.document.objectValue ?? [:]
        fields["id"] = .string(worker.id)
        fields["status"] = .string(lost ? "lost" : worker.reportedStatus)
        fields["running_jobs"] = .array(worker.runningJobs.map(JSONValue.string))
        fields["registered_at"] = .string(Timestamps.format(milliseconds: worker.registeredAt))
        fields["last_heartbeat"] = .string(Timestamps.format(milliseconds: worker.heartbeatAt))
        fields["heartbeat_age_seconds"] = .number(Double(max(0, now - worker.heartbeatAt)) / 1000)
        return .object(fields)
    }

    private func capabilities() -> JSONValue {
        let catalog = catalog.all
        var types: [String: JSONValue] = [:]
        for type in Set(configuredTypes).union(catalog.keys) {
            let executors = catalog[type] ?? []
            types[type] = [
                "configured": .bool(configuredTypes.contains(type)),
                "available": .bool(!executors.isEmpty),
                "executors": .array(
                    executors.map { executor in
                        [
                            "plugin": .string(executor.plugin), "plugin_version": .string(executor.pluginVersion),
                            "executor_version": .string(executor.executorVersion.description),
                            "needs_gpu": .bool(executor.needsGPU), "parameters_schema": executor.schemaDocument,
                            "images": .array(executor.images.sorted().map(JSONValue.string)),
                            "workers": .array(executor.workers.sorted().map(JSONValue.string)),
                        ]
                    }),
            ]
        }
        return ["job_types": .object(types)]
    }
}

/// Checks a worker's registration document.
enum WorkerRegistration {
    static let fields = ["id", "image", "host", "slots", "resources", "capabilities", "version"]
    static let capabilityFields = [
        "job_type", "plugin", "plugin_version", "executor_version", "abi", "parameters_schema", "needs_gpu",
        "concurrent",
        "memory_hint_bytes",
    ]

    static func validate(_ body: JSONValue) throws(APIError) -> JSONValue {
        var problems = Problems()
        guard let fields = problems.object(body, at: "(body)") else { throw problems.error(code: "invalid_worker") }
        problems.refuseUnknown(fields, allowed: Self.fields, at: "")
        if let id = fields["id"].flatMap({ problems.string($0, at: "id", nonEmpty: true) }),
            !WorkerRoutes.isValidWorkerID(id)
        {
            problems.add("id", "must be 1 to 128 visible ASCII characters without /")
        }
        if fields["id"] == nil { problems.add("id", "required") }
        _ = fields["image"].flatMap { problems.string($0, at: "image", nonEmpty: true) }
        if fields["image"] == nil { problems.add("image", "required: the worker image (MIMIR_WORKER_IMAGE)") }
        if let slots = fields["slots"] { _ = problems.integer(slots, at: "slots", in: 1...1024) }
        if let capabilities = fields["capabilities"]?.arrayValue {
            for (index, capability) in capabilities.enumerated() {
                let path = "capabilities[\(index)]"
                guard let entry = problems.object(capability, at: path) else { continue }
                problems.refuseUnknown(entry, allowed: capabilityFields, at: path)
                if let type = entry["job_type"].flatMap({ problems.string($0, at: "\(path).job_type", nonEmpty: true) }
                ),
                    !Identifiers.isValidJobType(type)
                {
                    problems.add("\(path).job_type", "\"\(type)\" is not a job type (\(Identifiers.jobTypeRule))")
                }
                if let version = entry["executor_version"].flatMap({
                    problems.string($0, at: "\(path).executor_version", nonEmpty: true)
                }),
                    SemanticVersion(version) == nil
                {
                    problems.add("\(path).executor_version", "\"\(version)\" is not a semantic version")
                }
            }
        } else {
            problems.add("capabilities", "required: an array of the worker's executors")
        }
        guard problems.isEmpty else { throw problems.error(code: "invalid_worker") }
        return body
    }
}
