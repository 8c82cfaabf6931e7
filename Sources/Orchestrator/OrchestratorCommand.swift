import ArgumentParser
import Glibc
import Logging
import MimirCore
import MimirOrchestrator

@main
struct OrchestratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mimir-orchestrator",
        abstract: "Mimir AIP orchestrator: the REST API and the job queue in Redis.",
        version: MimirVersion.current,
        subcommands: [Serve.self], defaultSubcommand: Serve.self)
}

/// Each option falls back to its environment variable, then to the documented default
/// (docs/operations.md).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the REST API (the default command).")

    @Option(help: "Address to listen on ($HOST, default 0.0.0.0).") var host: String?
    @Option(help: "Port to listen on; 0 picks a free one ($PORT, default 8080).") var port: Int?
    @Option(help: "redis://[[user]:password@]host[:port][/db] ($REDIS_URL, default redis://127.0.0.1:6379/0).")
    var redisURL: String?
    @Option(
        help:
            "Threads and blocking Redis connections for commands that cannot share the multiplexed one ($REDIS_POOL_SIZE, default 8)."
    ) var redisPoolSize: Int?
    @Option(help: "Prefix of every Redis key ($REDIS_NAMESPACE, default mimir).") var redisNamespace: String?
    @Option(help: "Workers kept running ($MIN_WORKERS, default 1).") var minWorkers: Int?
    @Option(help: "Most workers at once ($MAX_WORKERS, default 10).") var maxWorkers: Int?
    @Option(help: "Queued jobs per worker before scaling out ($QUEUE_THRESHOLD, default 5).") var queueThreshold: Int?
    @Option(help: "Comma-separated job types accepted ($JOB_TYPES, default the four built-in types).") var jobTypes:
        String?
    @Option(help: "JSON file declaring the worker images and what they run ($WORKER_IMAGES, default none).")
    var workerImages: String?
    @Option(help: "Attempts per job unless the job says otherwise ($MAX_ATTEMPTS, default 3).") var maxAttempts: Int?
    @Option(help: "Worker lease in seconds ($LEASE_SECONDS, default 15).") var leaseSeconds: Double?
    @Option(help: "First retry backoff in seconds ($BACKOFF_BASE_SECONDS, default 1).") var backoffBaseSeconds: Double?
    @Option(help: "Longest retry backoff in seconds ($BACKOFF_MAX_SECONDS, default 300).") var backoffMaxSeconds:
        Double?
    @Option(help: "How long finished jobs are kept, seconds ($JOB_RETENTION_SECONDS, default 604800).")
    var jobRetentionSeconds: Double?
    @Option(help: "Log lines kept per job ($LOG_LINES_PER_JOB, default 1000).") var logLinesPerJob: Int?
    @Option(help: "Executor crashes after which a job goes to the dead letter ($MAX_CRASHES, default 3).")
    var maxCrashes: Int?
    @Option(help: "Largest request body in bytes ($MAX_BODY_BYTES, default 1048576).") var maxBodyBytes: Int?
    @Option(help: "Reaper interval in seconds ($REAPER_INTERVAL_SECONDS, default 1).") var reaperIntervalSeconds:
        Double?
    @Option(help: "Directory of the web UI served at / ($FRONTEND_DIR, default none).") var frontendDir: String?
    @Option(help: "Where workers are started: local, kubernetes or none ($WORKER_BACKEND, default local).")
    var workerBackend: String?
    @Option(help: "Seconds between scaler passes ($SCALER_INTERVAL_SECONDS, default 1).") var scalerIntervalSeconds:
        Double?
    @Option(
        help: "Seconds a started worker may stay idle before it retires ($WORKER_IDLE_TIMEOUT_SECONDS, default 60).")
    var workerIdleTimeoutSeconds: Double?
    @Option(help: "Plugin directory of the local image `local` ($LOCAL_PLUGIN_DIR, default none).") var localPluginDir:
        String?
    @Option(help: "Where local workers' logs go ($WORKER_LOG_DIR, default worker-logs).") var workerLogDir: String?
    @Option(help: "Jobs each worker of the image `local` runs at once ($LOCAL_WORKER_SLOTS, default 2).")
    var localWorkerSlots: Int?
    @Option(help: "The mimir-worker program for local workers ($WORKER_EXECUTABLE, default beside this one).")
    var workerExecutable: String?
    @Option(help: "URL workers reach this orchestrator at ($ADVERTISE_URL, default http://127.0.0.1:PORT).")
    var advertiseURL: String?
    @Option(help: "Storage root given to local workers ($MIMIR_DATA_DIR, default ./data).") var dataDir: String?
    @Option(help: "Kubernetes backend: API server URL, outside a pod without a kubeconfig ($KUBE_SERVER).")
    var kubeServer: String?
    @Option(help: "Kubernetes backend: bearer token file for --kube-server ($KUBE_TOKEN_FILE).") var kubeTokenFile:
        String?
    @Option(help: "Kubernetes backend: CA bundle for --kube-server ($KUBE_CA_FILE).") var kubeCaFile: String?
    @Option(help: "Kubernetes backend: namespace of the worker Jobs ($KUBE_NAMESPACE, default the pod's).")
    var kubeNamespace: String?
    @Option(help: "Kubernetes backend: this orchestrator's name on its Jobs ($KUBE_ORCHESTRATOR_NAME, default mimir).")
    var kubeOrchestratorName: String?
    @Option(help: "API authentication: on, or off to let anyone in as admin ($AUTH, default on).") var auth: String?
    @Option(help: "File of role:name:secret tokens, e.g. a mounted Secret ($API_TOKENS_FILE; $API_TOKENS adds more).")
    var apiTokensFile: String?
    @Option(help: "/metrics: open, or token to require a reader's token ($METRICS_AUTH, default open).")
    var metricsAuth: String?
    @Option(help: "Requests per second per token, 0 for no limit ($RATE_LIMIT_PER_SECOND, default 1000).")
    var rateLimitPerSecond: Double?
    @Option(help: "Requests a token may burst above its rate ($RATE_LIMIT_BURST, default 2000).")
    var rateLimitBurst: Double?
    @Option(
        help:
            "Most jobs waiting per type; more are refused with 429, 0 for no limit ($MAX_QUEUED_PER_TYPE, default 100000)."
    )
    var maxQueuedPerType: Int?
    @Option(help: "Deepest nesting of a request body's arrays and objects ($MAX_JSON_DEPTH, default 64).")
    var maxJSONDepth: Int?
    @Option(help: "trace, debug, info, notice, warning, error, critical ($LOG_LEVEL, default info).") var logLevel:
        String?

    func run() async throws {
        SignalMask.unblockAll()
        Environment.cacheLocalTimeZone()
        var sources = ConfigurationSources()
        var settings = OrchestratorConfiguration()
        settings.host = sources.string(host, "HOST", settings.host)
        settings.port = sources.integer(port, "PORT", settings.port)
        settings.redisURL = sources.string(redisURL, "REDIS_URL", settings.redisURL)
        settings.redisPoolSize = sources.integer(redisPoolSize, "REDIS_POOL_SIZE", settings.redisPoolSize)
        settings.queue.namespace = sources.string(redisNamespace, "REDIS_NAMESPACE", settings.queue.namespace)
        settings.minWorkers = sources.integer(minWorkers, "MIN_WORKERS", settings.minWorkers)
        settings.maxWorkers = sources.integer(maxWorkers, "MAX_WORKERS", settings.maxWorkers)
        settings.queueThreshold = sources.integer(queueThreshold, "QUEUE_THRESHOLD", settings.queueThreshold)
        settings.jobTypes = sources.list(jobTypes, "JOB_TYPES", settings.jobTypes)
        settings.defaultMaxAttempts = sources.integer(maxAttempts, "MAX_ATTEMPTS", settings.defaultMaxAttempts)
        settings.queue.leaseDuration = sources.seconds(leaseSeconds, "LEASE_SECONDS", settings.queue.leaseDuration)
        settings.queue.backoffBase = sources.seconds(
            backoffBaseSeconds, "BACKOFF_BASE_SECONDS", settings.queue.backoffBase)
        settings.queue.backoffCap = sources.seconds(backoffMaxSeconds, "BACKOFF_MAX_SECONDS", settings.queue.backoffCap)
        settings.queue.retention = sources.seconds(
            jobRetentionSeconds, "JOB_RETENTION_SECONDS", settings.queue.retention)
        settings.queue.logLinesPerJob = sources.integer(
            logLinesPerJob, "LOG_LINES_PER_JOB", settings.queue.logLinesPerJob)
        settings.queue.maxCrashes = sources.integer(maxCrashes, "MAX_CRASHES", settings.queue.maxCrashes)
        settings.maxBodyBytes = sources.integer(maxBodyBytes, "MAX_BODY_BYTES", settings.maxBodyBytes)
        settings.queue.maxQueuedPerType = sources.integer(
            maxQueuedPerType, "MAX_QUEUED_PER_TYPE", settings.queue.maxQueuedPerType)
        settings.maxJSONDepth = sources.integer(maxJSONDepth, "MAX_JSON_DEPTH", settings.maxJSONDepth)
        settings.auditEntries = sources.integer(nil, "AUDIT_ENTRIES", settings.auditEntries)
        switch sources.string(auth, "AUTH", "on").lowercased() {
        case "on": settings.auth.enabled = true
        case "off": settings.auth.enabled = false
        case let other: throw ValidationError("AUTH must be on or off, got \"\(other)\"")
        }
        settings.auth.tokensFile = sources.string(apiTokensFile, "API_TOKENS_FILE", settings.auth.tokensFile)
        settings.auth.tokensText = sources.string(nil, "API_TOKENS", settings.auth.tokensText)
        settings.auth.workerToken = sources.string(nil, "MIMIR_WORKER_TOKEN", settings.auth.workerToken)
        switch sources.string(metricsAuth, "METRICS_AUTH", "open").lowercased() {
        case "open": settings.auth.metricsOpen = true
        case "token": settings.auth.metricsOpen = false
        case let other: throw ValidationError("METRICS_AUTH must be open or token, got \"\(other)\"")
        }
        settings.auth.rateLimitPerSecond = sources.number(
            rateLimitPerSecond, "RATE_LIMIT_PER_SECOND", settings.auth.rateLimitPerSecond)
        settings.auth.rateLimitBurst = sources.number(rateLimitBurst, "RATE_LIMIT_BURST", settings.auth.rateLimitBurst)
        settings.reaperInterval = sources.seconds(
            reaperIntervalSeconds, "REAPER_INTERVAL_SECONDS", settings.reaperInterval)
        settings.frontendDirectory = sources.string(frontendDir, "FRONTEND_DIR", settings.frontendDirectory)
        let levelName = sources.string(logLevel, "LOG_LEVEL", "info")
        let backendName = sources.string(workerBackend, "WORKER_BACKEND", settings.scaling.backend.rawValue)
        if let backend = ScalerSettings.BackendKind(rawValue: backendName) {
            settings.scaling.backend = backend
        } else {
            throw ValidationError(
                "WORKER_BACKEND must be one of \(ScalerSettings.BackendKind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(backendName)\""
            )
        }
        settings.scaling.interval = sources.seconds(
            scalerIntervalSeconds, "SCALER_INTERVAL_SECONDS", settings.scaling.interval)
        settings.scaling.workerIdleTimeout = sources.seconds(
            workerIdleTimeoutSeconds, "WORKER_IDLE_TIMEOUT_SECONDS", settings.scaling.workerIdleTimeout)
        settings.scaling.localPluginDirectory = sources.string(
            localPluginDir, "LOCAL_PLUGIN_DIR", settings.scaling.localPluginDirectory)
        settings.scaling.localWorkerSlots = sources.integer(
            localWorkerSlots, "LOCAL_WORKER_SLOTS", settings.scaling.localWorkerSlots)
        settings.scaling.localLogDirectory = sources.string(
            workerLogDir, "WORKER_LOG_DIR", settings.scaling.localLogDirectory)
        settings.scaling.workerExecutable = sources.string(
            workerExecutable, "WORKER_EXECUTABLE", settings.scaling.workerExecutable)
        settings.scaling.advertisedURL = sources.string(advertiseURL, "ADVERTISE_URL", settings.scaling.advertisedURL)
        settings.dataDirectory = sources.string(dataDir, "MIMIR_DATA_DIR", settings.dataDirectory)
        // The Kubernetes backend (a Deployment sets the environment; flags are for trying it out).
        var kube = settings.scaling.kubernetes
        kube.namespace = sources.string(kubeNamespace, "KUBE_NAMESPACE", kube.namespace)
        kube.server = sources.string(kubeServer, "KUBE_SERVER", kube.server)
        kube.tokenFile = sources.string(kubeTokenFile, "KUBE_TOKEN_FILE", kube.tokenFile)
        kube.caFile = sources.string(kubeCaFile, "KUBE_CA_FILE", kube.caFile)
        kube.orchestratorName = sources.string(kubeOrchestratorName, "KUBE_ORCHESTRATOR_NAME", kube.orchestratorName)
        kube.redisSecret = sources.string(nil, "KUBE_REDIS_SECRET", kube.redisSecret)
        kube.serviceAccount = sources.string(nil, "KUBE_WORKER_SERVICE_ACCOUNT", kube.serviceAccount)
        kube.imagePullSecrets = sources.list(nil, "KUBE_IMAGE_PULL_SECRETS", kube.imagePullSecrets)
        kube.jobTTLSeconds = sources.integer(nil, "KUBE_JOB_TTL_SECONDS", kube.jobTTLSeconds)
        kube.activeDeadlineSeconds = sources.integer(nil, "KUBE_ACTIVE_DEADLINE_SECONDS", kube.activeDeadlineSeconds)
        kube.dataVolumeClaim = sources.string(nil, "KUBE_DATA_PVC", kube.dataVolumeClaim)
        kube.workerTokenSecret = sources.string(nil, "KUBE_WORKER_TOKEN_SECRET", kube.workerTokenSecret)
        kube.imagePullPolicy = sources.string(nil, "KUBE_IMAGE_PULL_POLICY", kube.imagePullPolicy)
        kube.nodeSelector = sources.keyValues("KUBE_NODE_SELECTOR", kube.nodeSelector)
        kube.tolerations = sources.objectArray("KUBE_TOLERATIONS", kube.tolerations)
        settings.scaling.kubernetes = kube
        let imagesFile = sources.string(workerImages, "WORKER_IMAGES", "")
        if !imagesFile.isEmpty {
            do {
                settings.workerImages = try ImageDeclarations.load(path: imagesFile)
            } catch {
                throw ValidationError(error.description)
            }
        }

        let problems = sources.errors + settings.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw ValidationError("LOG_LEVEL: unknown level \"\(levelName)\"")
        }
        var logger = Logger(label: "mimir-orchestrator")
        logger.logLevel = level
        let log = logger
        try await OrchestratorApp(configuration: settings, logger: logger).run { port in
            log.notice("listening", metadata: ["port": "\(port)"])
            // A line for scripts and tests that start us with --port 0, written unbuffered.
            let line = Array("mimir-orchestrator listening on port \(port)\n".utf8)
            _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        }
    }
}
