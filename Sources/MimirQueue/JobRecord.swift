import MimirCore

/// A job as the queue stores it: what was submitted plus everything the server tracks.
public struct JobRecord: Sendable, Hashable {
    public var id: String
    public var type: String
    public var priority: Int
    public var projectID: String
    /// The submitted `task_spec`, `resource_requirements` and `data_access`, as an object.
    public var spec: JSONValue
    public var status: JobStatus
    public var attempts: Int
    public var maxAttempts: Int
    /// Milliseconds since the epoch.
    public var createdAt: Int64
    public var updatedAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    /// While waiting out a retry backoff: when the job becomes runnable again.
    public var runAfter: Int64?
    public var leaseExpiresAt: Int64?
    public var workerID: String?
    public var progress: Double
    public var progressMessage: String?
    public var result: JSONValue?
    public var error: String?
    public var errorKind: String?
    /// The error of the previous attempt, kept while the job retries.
    public var lastError: String?
    public var cancelRequested: Bool
    public var idempotencyKey: String?
    public var logsDropped: Int
    public var manualRetries: Int
    /// Attempts whose executor process crashed (since submission or the last manual retry).
    public var crashes: Int

    /// The record `mimir_submit` stores for a job it accepts: queued, never attempted.
    init(accepted job: NewJob, id: String, at now: Int64, idempotencyKey: String?) {
        self.id = id
        type = job.type
        priority = job.priority
        projectID = job.projectID
        spec = job.spec
        status = .queued
        attempts = 0
        maxAttempts = job.maxAttempts
        createdAt = now
        updatedAt = now
        progress = 0
        cancelRequested = false
        self.idempotencyKey = idempotencyKey.flatMap { $0.isEmpty ? nil : $0 }
        logsDropped = 0
        manualRetries = 0
        crashes = 0
    }

    /// Builds a record from `HGETALL` field/value pairs; `nil` when required fields are missing.
    init?(fields: [String: String], parsedSpec: JSONValue? = nil) {
        guard let id = fields["id"], let type = fields["type"], let statusText = fields["status"],
            let status = JobStatus(rawValue: statusText), let created = fields["created_at"].flatMap({ Int64($0) })
        else { return nil }
        self.id = id
        self.type = type
        self.status = status
        self.createdAt = created
        priority = fields["priority"].flatMap { Int($0) } ?? 5
        projectID = fields["project_id"] ?? ""
        spec = parsedSpec ?? fields["spec"].flatMap { try? JSONValue.parse($0) } ?? .object([:])
        attempts = fields["attempts"].flatMap { Int($0) } ?? 0
        maxAttempts = fields["max_attempts"].flatMap { Int($0) } ?? 1
        updatedAt = fields["updated_at"].flatMap { Int64($0) } ?? created
        startedAt = fields["started_at"].flatMap { Int64($0) }
        finishedAt = fields["finished_at"].flatMap { Int64($0) }
        runAfter = fields["run_after"].flatMap { Int64($0) }
        leaseExpiresAt = fields["lease_expires_at"].flatMap { Int64($0) }
        workerID = fields["worker_id"].flatMap { $0.isEmpty ? nil : $0 }
        progress = fields["progress"].flatMap { Double($0) } ?? 0
        progressMessage = fields["progress_message"].flatMap { $0.isEmpty ? nil : $0 }
        result = fields["result"].flatMap { try? JSONValue.parse($0) }
        error = fields["error"].flatMap { $0.isEmpty ? nil : $0 }
        errorKind = fields["error_kind"].flatMap { $0.isEmpty ? nil : $0 }
        lastError = fields["last_error"].flatMap { $0.isEmpty ? nil : $0 }
        cancelRequested = fields["cancel_requested"] == "1"
        idempotencyKey = fields["idempotency_key"].flatMap { $0.isEmpty ? nil : $0 }
        logsDropped = fields["logs_dropped"].flatMap { Int($0) } ?? 0
        manualRetries = fields["manual_retries"].flatMap { Int($0) } ?? 0
        crashes = fields["crashes"].flatMap { Int($0) } ?? 0
    }
}

/// What a worker must offer to take a job, in numbers Redis compares without parsing.
public struct JobRequirements: Sendable, Hashable {
    /// The executor version range as `VersionRange.number` bounds: [minimum, below).
    public var minimumVersion: Int64?
    public var belowVersion: Int64?
    public var gpu: Bool
    public var cpuMillicores: Int64?
    public var memoryBytes: Int64?

    public init(
        minimumVersion: Int64? = nil, belowVersion: Int64? = nil, gpu: Bool = false, cpuMillicores: Int64? = nil,
        memoryBytes: Int64? = nil
    ) {
        self.minimumVersion = minimumVersion
        self.belowVersion = belowVersion
        self.gpu = gpu
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
    }

    var arguments: [String] {
        [
            minimumVersion.map(String.init) ?? "", belowVersion.map(String.init) ?? "", gpu ? "1" : "",
            cpuMillicores.map(String.init) ?? "", memoryBytes.map(String.init) ?? "",
        ]
    }
}

/// What a worker offers when it takes jobs.
public struct WorkerOffer: Sendable, Hashable {
    /// Job type → the version of the executor that serves it.
    public var executorVersions: [String: SemanticVersion]
    public var gpus: Int
    public var cpuMillicores: Int64
    public var memoryBytes: Int64

    public init(executorVersions: [String: SemanticVersion], gpus: Int, cpuMillicores: Int64, memoryBytes: Int64) {
        self.executorVersions = executorVersions
        self.gpus = gpus
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
    }
}

/// A job to add to the queue, already validated.
public struct NewJob: Sendable {
    public var type: String
    public var priority: Int
    public var projectID: String
    public var maxAttempts: Int
    /// `task_spec`, `resource_requirements` and `data_access` as one object.
    public var spec: JSONValue
    public var requirements: JobRequirements

    public init(
        type: String, priority: Int = 5, projectID: String = "", maxAttempts: Int, spec: JSONValue,
        requirements: JobRequirements = JobRequirements()
    ) {
        self.type = type
        self.priority = priority
        self.projectID = projectID
        self.maxAttempts = maxAttempts
        self.spec = spec
        self.requirements = requirements
    }

    /// What identifies "the same request" for idempotent submission.
    var fingerprint: String {
        JSONValue.object([
            "type": .string(type), "priority": .integer(Int64(priority)), "project_id": .string(projectID),
            "max_attempts": .integer(Int64(maxAttempts)), "spec": spec,
        ]).jsonText()
    }
}
