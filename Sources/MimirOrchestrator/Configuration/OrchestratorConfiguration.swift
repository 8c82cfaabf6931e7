import MimirCore
import MimirQueue

/// Everything the orchestrator can be told, with the defaults of docs/operations.md. Each value
/// comes from a command-line flag, else its environment variable, else the default.
public struct OrchestratorConfiguration: Sendable {
    public var host = "0.0.0.0"
    public var port = 8080
    public var redisURL = "redis://127.0.0.1:6379/0"
    /// Connections (and threads) for Redis calls, separate from the HTTP event loops.
    public var redisPoolSize = 8
    public var minWorkers = 1
    public var maxWorkers = 10
    /// Jobs per worker before scaling out.
    public var queueThreshold = 5
    /// Job types accepted while no worker image is declared or known from a worker's report.
    public var jobTypes = ["pipeline_execution", "ml_training", "ml_inference", "digital_twin_update"]
    /// The declared worker images (`WORKER_IMAGES`), so jobs are checked and images scaled from zero.
    public var workerImages = ImageDeclarations()
    public var defaultMaxAttempts = 3
    public var maxBodyBytes = 1 << 20
    /// How often expired leases and due retries are handled.
    public var reaperInterval: Duration = .seconds(1)
    public var queue = QueueConfiguration()
    /// Directory of the web UI served at `/`; none when empty.
    public var frontendDirectory = ""
    /// Worker scaling: backend, pace, idle timeout, local settings.
    public var scaling = ScalerSettings()
    /// The storage root local workers are given (MIMIR_DATA_DIR).
    public var dataDirectory = "data"
    /// Tokens, roles, the rate limit (docs/operations.md, "Authentication").
    public var auth = AuthSettings()
    /// Entries kept in the audit log.
    public var auditEntries = 10_000
    /// Deepest nesting of arrays and objects accepted in a request body.
    public var maxJSONDepth = 64

    public init() {}

    /// Problems that make the configuration unusable, each naming its setting.
    public func problems() -> [String] {
        var problems: [String] = []
        if !(0...65535).contains(port) { problems.append("PORT must be 0–65535 (0: any free port), got \(port)") }
        if minWorkers < 0 { problems.append("MIN_WORKERS must be ≥ 0, got \(minWorkers)") }
        if maxWorkers < max(minWorkers, 1) {
            problems.append("MAX_WORKERS (\(maxWorkers)) must be ≥ 1 and ≥ MIN_WORKERS (\(minWorkers))")
        }
        if queueThreshold < 1 { problems.append("QUEUE_THRESHOLD must be ≥ 1, got \(queueThreshold)") }
        if !(1...100).contains(defaultMaxAttempts) {
            problems.append("MAX_ATTEMPTS must be 1–100, got \(defaultMaxAttempts)")
        }
        if redisPoolSize < 1 { problems.append("REDIS_POOL_SIZE must be ≥ 1, got \(redisPoolSize)") }
        if maxBodyBytes < 1024 { problems.append("MAX_BODY_BYTES must be ≥ 1024, got \(maxBodyBytes)") }
        for type in jobTypes where !Identifiers.isValidJobType(type) {
            problems.append("JOB_TYPES: \"\(type)\" is not a job type (\(Identifiers.jobTypeRule))")
        }
        if queue.leaseDuration < .seconds(1) { problems.append("LEASE_SECONDS must be ≥ 1") }
        if queue.backoffCap < queue.backoffBase {
            problems.append("BACKOFF_MAX_SECONDS must be ≥ BACKOFF_BASE_SECONDS")
        }
        if queue.logLinesPerJob < 1 { problems.append("LOG_LINES_PER_JOB must be ≥ 1") }
        if queue.maxCrashes < 1 { problems.append("MAX_CRASHES must be ≥ 1") }
        if reaperInterval < .milliseconds(10) { problems.append("REAPER_INTERVAL_SECONDS must be ≥ 0.01") }
        if !(1...1024).contains(scaling.localWorkerSlots) {
            problems.append("LOCAL_WORKER_SLOTS must be 1–1024, got \(scaling.localWorkerSlots)")
        }
        if scaling.interval < .milliseconds(100) { problems.append("SCALER_INTERVAL_SECONDS must be ≥ 0.1") }
        if scaling.workerIdleTimeout < .seconds(1) { problems.append("WORKER_IDLE_TIMEOUT_SECONDS must be ≥ 1") }
        if !["", "Always", "IfNotPresent", "Never"].contains(scaling.kubernetes.imagePullPolicy) {
            problems.append(
                "KUBE_IMAGE_PULL_POLICY must be Always, IfNotPresent or Never, got \"\(scaling.kubernetes.imagePullPolicy)\""
            )
        }
        problems += auth.problems
        if queue.maxQueuedPerType < 0 { problems.append("MAX_QUEUED_PER_TYPE must be ≥ 0 (0: no limit)") }
        if auditEntries < 100 { problems.append("AUDIT_ENTRIES must be ≥ 100, got \(auditEntries)") }
        if !(2...1000).contains(maxJSONDepth) { problems.append("MAX_JSON_DEPTH must be 2–1000, got \(maxJSONDepth)") }
        if queue.namespace.isEmpty || queue.namespace.contains(" ") {
            problems.append("REDIS_NAMESPACE must be non-empty without spaces")
        }
        return problems
    }
}
