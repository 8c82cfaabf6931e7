import Hummingbird
import MimirCore
import MimirQueue

/// `/api/workers` and `/api/capabilities`: workers register and heartbeat; users see every
/// worker, its capabilities, and which job types can run where.
struct WorkerRoutes: Sendable {
    let directory: WorkerDirectory
    let catalog: CapabilityCatalogLoader
    let configuredTypes: [String]
    let bodyLimits: BodyLimits
    /// Decides whether an idle worker may retire.
    let scaler: Scaler

    func register(on router: Router<OrchestratorRequestContext>) {
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

    private func workerID(_ context: OrchestratorRequestContext) throws(APIError) -> String {
        guard let id = context.parameters.get("id"), Self.isValidWorkerID(id) else {
            throw APIError.badRequest("invalid_id", "a worker id is 1 to 128 visible ASCII characters")
        }
        return id
    }

    static func isValidWorkerID(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "/") }
    }

    private func register(_ request: Request) async throws -> Response {
        let body = try await JSONBody.read(request, limits: bodyLimits)
        let document = try WorkerRegistration.validate(body)
        guard let id = document["id"]?.stringValue else { throw APIError.badRequest("invalid_worker", "id missing") }
        try await run { () async throws(QueueError) in try await directory.register(id: id, document: document) }
        // Jobs this worker serves are accepted from now on, not from the next maintenance pass.
        try? await catalog.reload()
        guard let worker = try await run({ () async throws(QueueError) in try await directory.worker(id) }) else {
            throw APIError(status: .internalServerError, code: "internal", message: "the registration was not stored")
        }
        return JSONResponse.make(.ok, Self.json(worker, now: SystemQueueClock().nowMilliseconds()))
    }

    private func heartbeat(_ request: Request, id: String) async throws -> Response {
        let body = try await JSONBody.read(request, limits: bodyLimits)
        var problems = Problems()
        let fields = problems.object(body, at: "(body)") ?? [:]
        problems.refuseUnknown(fields, allowed: ["status", "running_jobs", "idle_seconds"], at: "")
        var idleSeconds: Double?
        if let value = fields["idle_seconds"] {
            if let seconds = value.doubleValue, seconds >= 0 {
                idleSeconds = seconds
            } else {
                problems.add("idle_seconds", "must be a number of seconds ≥ 0, got \(value.jsonText())")
            }
        }
        let status = fields["status"].flatMap { problems.string($0, at: "status", nonEmpty: true) } ?? "idle"
        if !["idle", "busy", "draining"].contains(status) {
            problems.add("status", "must be idle, busy or draining, got \"\(status)\"")
        }
        var running: [String] = []
        if let value = fields["running_jobs"] {
            if let items = value.arrayValue {
                for (index, item) in items.enumerated() {
                    if let id = problems.string(item, at: "running_jobs[\(index)]", nonEmpty: true) {
                        running.append(id)
                    }
                }
            } else {
                problems.add("running_jobs", "must be an array of job ids, got \(value.typeName)")
            }
        }
        guard problems.isEmpty else { throw problems.error(code: "invalid_worker") }
        let known = try await run { () async throws(QueueError) in
            try await directory.heartbeat(id: id, status: status, runningJobs: running)
        }
        guard known, let worker = try await run({ () async throws(QueueError) in try await directory.worker(id) })
        else {
            throw APIError.notFound("worker \(id) is not registered: register again (POST /api/workers)")
        }
        var answer = Self.json(worker, now: SystemQueueClock().nowMilliseconds()).objectValue ?? [:]
        // A worker that says it has been idle (it was started with an idle timeout) learns whether it
        // may leave: only while its image has more workers than the scaler wants.
        if idleSeconds != nil, running.isEmpty, status == "idle" {
            answer["retire"] = .bool(
                scaler.mayRetire(workerID: id, image: worker.document["image"]?.stringValue ?? ""))
        } else {
            answer["retire"] = false
        }
        return JSONResponse.make(.ok, .object(answer))
    }

    /// A worker as the API shows it; `status` is `lost` once it has been silent too long.
    static func json(_ worker: WorkerRecord, now: Int64) -> JSONValue {
        let lost = now - worker.heartbeatAt > CapabilityCatalog.lostAfter.milliseconds
        var fields = worker.document.objectValue ?? [:]
        fields["id"] = .string(worker.id)
        fields["status"] = .string(lost ? "lost" : worker.reportedStatus)
        fields["running_jobs"] = .array(worker.runningJobs.map(JSONValue.string))
        fields["registered_at"] = .string(UTCTimestamp.format(milliseconds: worker.registeredAt))
        fields["last_heartbeat"] = .string(UTCTimestamp.format(milliseconds: worker.heartbeatAt))
        fields["heartbeat_age_seconds"] = .number(Double(max(0, now - worker.heartbeatAt)) / 1000)
        return .object(fields)
    }

    private func capabilities() -> JSONValue {
        let snapshot = catalog.catalog.snapshot
        var types: [String: JSONValue] = [:]
        for type in Set(configuredTypes).union(snapshot.executors.keys) {
            let executors = snapshot.executors[type] ?? []
            types[type] = [
                "configured": .bool(configuredTypes.contains(type)),
                "available": .bool(executors.contains { !$0.workers.isEmpty }),
                "executors": .array(executors.map(Self.json)),
            ]
        }
        let images: [JSONValue] = snapshot.images.map { image in
            var fields: [String: JSONValue] = [
                "image": .string(image.record.name), "source": .string(image.source),
                "declared": .bool(image.record.declared != nil),
                "capabilities": .array(
                    Capability.list((image.record.reported ?? image.record.declared)?["capabilities"]).map {
                        ["job_type": .string($0.jobType), "executor_version": .string($0.executorVersion.description)]
                    }),
                "live_workers": .array(image.liveWorkers.map(JSONValue.string)),
                "mismatches": .array(image.mismatches.map(JSONValue.string)),
            ]
            if let resources = (image.record.reported ?? image.record.declared)?["resources"] {
                fields["resources"] = resources
            }
            if let at = image.record.reportedAt {
                fields["reported_at"] = .string(UTCTimestamp.format(milliseconds: at))
            }
            if let by = image.record.reportedBy { fields["reported_by"] = .string(by) }
            return .object(fields)
        }
        return ["job_types": .object(types), "images": .array(images)]
    }

    private static func json(_ executor: CapabilityCatalog.Executor) -> JSONValue {
        var fields: [String: JSONValue] = [
            "executor_version": .string(executor.executorVersion.description),
            "needs_gpu": .bool(executor.capability.needsGPU),
            "parameters_schema": executor.capability.parametersSchema ?? ["type": "object"],
            "images": .array(executor.images.sorted().map(JSONValue.string)),
            "declared_by": .array(executor.declaredBy.sorted().map(JSONValue.string)),
            "workers": .array(executor.workers.sorted().map(JSONValue.string)),
        ]
        if let plugin = executor.capability.plugin { fields["plugin"] = .string(plugin) }
        if let version = executor.capability.pluginVersion { fields["plugin_version"] = .string(version) }
        return .object(fields)
    }
}

/// Checks a worker's registration document.
enum WorkerRegistration {
    static let fields = ["id", "image", "host", "slots", "resources", "capabilities", "version"]

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
        for name in ["host", "version"] { _ = fields[name].flatMap { problems.string($0, at: name, nonEmpty: false) } }
        CapabilityDocumentRules.checkResources(fields["resources"], at: "resources", &problems)
        CapabilityDocumentRules.checkCapabilities(fields["capabilities"], at: "capabilities", &problems)
        guard problems.isEmpty else { throw problems.error(code: "invalid_worker") }
        return body
    }
}
