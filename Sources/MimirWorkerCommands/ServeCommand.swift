import ArgumentParser
import Dispatch
import Logging
import MimirCore
import MimirPluginHost
import MimirQueue
import MimirRedis
import MimirWorker
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `mimir-worker serve`: takes jobs from the queue in Redis and runs them. Status, progress, logs
/// and results go straight to Redis through the queue's atomic functions — one call each, with
/// no extra hop through the orchestrator's HTTP server (docs/queue.md).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Take jobs from the queue and run them until SIGTERM or SIGINT.")

    @OptionGroup var directory: PluginDirectoryOption
    @OptionGroup var options: HostOptions

    @Option(help: "redis://[[user]:password@]host[:port][/db]. Default: $REDIS_URL, else redis://127.0.0.1:6379/0.")
    var redisURL: String?
    @Option(help: "Prefix of the queue's Redis keys. Default: $REDIS_NAMESPACE, else mimir.") var redisNamespace:
        String?
    @Option(help: "Worker id. Default: $MIMIR_WORKER_ID, else host-pid.") var workerID: String?
    @Option(help: "Jobs run at once. Default: $MIMIR_WORKER_SLOTS, else 1.") var slots: Int?
    @Option(help: "Lease in seconds, renewed while a job runs. Default: $LEASE_SECONDS, else 15.") var leaseSeconds:
        Double?
    @Option(
        help:
            "Orchestrator to register with (for /api/workers and /api/capabilities). Default: $MIMIR_ORCHESTRATOR_URL, else none."
    )
    var orchestratorURL: String?
    @Option(help: "This worker's image name, reported to the orchestrator. Default: $MIMIR_WORKER_IMAGE, else local.")
    var image: String?
    @Option(help: "GPUs offered to jobs. Default: $MIMIR_WORKER_GPUS, else the /dev/nvidiaN devices present.")
    var gpus: Int?
    @Option(
        help: "CPU offered to jobs, a Kubernetes quantity (2, 500m). Default: $MIMIR_WORKER_CPU, else the online cores."
    )
    var cpu: String?
    @Option(
        help:
            "Memory offered to jobs, a Kubernetes quantity (8Gi). Default: $MIMIR_WORKER_MEMORY, else physical memory.")
    var memory: String?
    @Option(
        help:
            "Longest wait between looks at the queue when idle; jobs made ready wake the worker at once. Default 0.2."
    )
    var pollIntervalSeconds: Double = 0.2
    @Option(
        help:
            "Seconds idle before asking the orchestrator to retire (or, without one, leaving). Default: $MIMIR_WORKER_IDLE_TIMEOUT, else never."
    )
    var idleTimeoutSeconds: Double?
    @Option(help: "On SIGTERM, seconds running jobs may take before they are handed back. Default 30.")
    var drainSeconds: Double = 30
    @Option(
        help: """
            Most jobs a slot takes in one round trip once their type runs short here (after 5 runs, a moving \
            average under --short-job-ms): the next job and the ones taken ahead of it, whose ends are then \
            reported together. 1 takes none ahead. Default: $MIMIR_WORKER_PREFETCH, else 8.
            """)
    var prefetch: Int?
    @Option(help: "A job type whose runs average less than this many milliseconds is short, for --prefetch. Default 2.")
    var shortJobMs: Double = 2
    @Option(
        help: """
            Where executors run: process (supervised child processes, one per slot: a plugin that crashes fails \
            its job, not the worker) or none (in the worker itself). Default: $MIMIR_WORKER_ISOLATION, else process.
            """)
    var isolation: String?
    @Option(
        help:
            "Replace an executor process after this many jobs (0: never). Default: $MIMIR_MAX_JOBS_PER_EXECUTOR, else 0."
    )
    var maxJobsPerExecutor: Int?
    @Option(
        help: """
            Replace an executor process whose resident memory is above this many MiB after a job (0: never). \
            Default: $MIMIR_MAX_EXECUTOR_MEMORY_MB, else 1024.
            """)
    var maxExecutorMemoryMb: Int?
    @Option(
        help:
            "Seconds a cancelled or timed-out job may take to stop before its executor process is killed. Default 5."
    )
    var killGraceSeconds: Double = 5
    @Option(help: "Executor crashes after which a job goes to the dead letter. Default: $MAX_CRASHES, else 3.")
    var maxCrashes: Int?

    /// Blocks the main thread (never a thread of the concurrency pool) until the worker stops.
    func run() throws {
        // Plugins that keep state in the queue's Redis (DigitalTwinUpdate) find it here. Set now,
        // on the main thread, before any other thread could be reading the environment.
        setenv("REDIS_URL", resolvedRedisURL, 1)
        setenv("REDIS_NAMESPACE", resolvedNamespace, 1)
        Environment.cacheLocalTimeZone()
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await serve()
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    private func serve() async throws {
        let logger = try HostSetup.logger(level: options.logLevel, default: "info")
        // Every setting a variable can give is read here, so that all malformed ones are named at
        // once and none silently becomes its default.
        var sources = ConfigurationSources()
        let slotCount = sources.integer(slots, "MIMIR_WORKER_SLOTS", 1)
        let prefetchCount = sources.integer(prefetch, "MIMIR_WORKER_PREFETCH", 8)
        let lease = sources.number(leaseSeconds, "LEASE_SECONDS", 15)
        let idleTimeout = sources.number(idleTimeoutSeconds, "MIMIR_WORKER_IDLE_TIMEOUT")
        let crashes = sources.integer(maxCrashes, "MAX_CRASHES", 3)
        let gpuCount = sources.integer(gpus, "MIMIR_WORKER_GPUS")
        let executorLimits = ExecutorLimits(
            jobsPerProcess: sources.integer(maxJobsPerExecutor, "MIMIR_MAX_JOBS_PER_EXECUTOR", 0),
            memoryMiB: sources.integer(maxExecutorMemoryMb, "MIMIR_MAX_EXECUTOR_MEMORY_MB", 1024))
        guard sources.errors.isEmpty else { throw ValidationError(sources.errors.joined(separator: "; ")) }
        guard slotCount >= 1 else { throw ValidationError("--slots must be at least 1, got \(slotCount)") }
        guard prefetchCount >= 1 else {
            throw ValidationError("--prefetch must be at least 1, got \(prefetchCount)")
        }
        guard shortJobMs > 0, shortJobMs.isFinite else {
            throw ValidationError("--short-job-ms must be above 0, got \(shortJobMs)")
        }
        guard lease >= 1 else { throw ValidationError("--lease-seconds must be at least 1, got \(lease)") }
        guard pollIntervalSeconds >= 0.001, pollIntervalSeconds <= 3600 else {
            throw ValidationError("--poll-interval-seconds must be 0.001–3600, got \(pollIntervalSeconds)")
        }
        if let idleTimeout, !(idleTimeout >= 1) {
            throw ValidationError("--idle-timeout-seconds must be at least 1, got \(idleTimeout)")
        }
        guard drainSeconds >= 0 else { throw ValidationError("--drain-seconds must be ≥ 0, got \(drainSeconds)") }
        let url = resolvedRedisURL
        let namespace = resolvedNamespace
        let id =
            workerID ?? Environment.value("MIMIR_WORKER_ID").flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultWorkerID()

        var host = try HostSetup.configuration(options)
        host.workerSlots = UInt32(slotCount)
        let registry = try HostSetup.registry(directory, options, configuration: host, logger: logger)
        defer { registry.shutdown() }
        guard !registry.jobTypes.isEmpty else {
            throw WorkerFailure(description: "no executors loaded from the plugin directory: nothing to serve")
        }
        let redisConfiguration: RedisConfiguration
        do {
            redisConfiguration = try RedisConfiguration(url: url)
        } catch {
            throw ValidationError("REDIS_URL: \(error)")
        }
        guard crashes >= 1 else { throw ValidationError("--max-crashes must be at least 1, got \(crashes)") }
        let isolation = try executorIsolation(slots: slotCount, limits: executorLimits, logger: logger)
        let redis = RedisClient(configuration: redisConfiguration, poolSize: max(2, slotCount + 1), logger: logger)
        let queue = JobQueue(
            redis: redis,
            configuration: QueueConfiguration(
                namespace: namespace, leaseDuration: .milliseconds(Int64(lease * 1000)), maxCrashes: crashes),
            clock: SystemQueueClock(), logger: logger)
        let offered = try Resources.offered(gpus: gpuCount, cpu: cpu, memory: memory)
        let runtime = WorkerRuntime(
            configuration: WorkerConfiguration(
                workerID: id, slots: slotCount, leaseDuration: .milliseconds(Int64(lease * 1000)),
                maximumPollInterval: .milliseconds(Int64(pollIntervalSeconds * 1000)),
                drainGrace: .milliseconds(Int64(drainSeconds * 1000)), gpus: offered.gpus,
                cpuMillicores: offered.cpuMillicores, memoryBytes: offered.memoryBytes,
                idleTimeout: idleTimeout.map { .milliseconds(Int64($0 * 1000)) }, prefetch: prefetchCount,
                shortJob: .microseconds(Int64(shortJobMs * 1000))),
            registry: registry, isolation: isolation, queue: queue, logger: logger,
            orchestratorURL: orchestratorURL
                ?? Environment.value("MIMIR_ORCHESTRATOR_URL").flatMap { $0.isEmpty ? nil : $0 },
            orchestratorToken: try Self.workerToken(),
            image: image ?? Environment.value("MIMIR_WORKER_IMAGE").flatMap { $0.isEmpty ? nil : $0 } ?? "local")
        let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { runtime.drain() }
            source.resume()
            return source
        }
        if case .processes(let pool) = isolation { pool.prefork() }
        // Started by an orchestrator's local backend: leave when it dies (see ParentWatch).
        let parentWatch = ParentWatch.parent(from: Environment.value(ParentWatch.environmentName)).map { parent in
            Task { await ParentWatch.run(parent: parent, logger: logger) { runtime.drain() } }
        }
        await runtime.run()
        parentWatch?.cancel()
        if case .processes(let pool) = isolation { pool.shutdown() }
        for source in signals { source.cancel() }
        await redis.shutdown()
    }

    /// When an executor process is replaced: after this many jobs, above this much memory (0: never).
    private struct ExecutorLimits {
        var jobsPerProcess: Int
        var memoryMiB: Int
    }

    /// The executor processes (the default), or none with `--isolation none`.
    private func executorIsolation(slots: Int, limits: ExecutorLimits, logger: Logger) throws -> ExecutorIsolation {
        let mode =
            isolation ?? Environment.value("MIMIR_WORKER_ISOLATION").flatMap { $0.isEmpty ? nil : $0 } ?? "process"
        switch mode {
        case "none":
            return .none
        case "process":
            break
        default:
            throw ValidationError("--isolation must be process or none, got \(mode)")
        }
        let jobsPerProcess = limits.jobsPerProcess
        let memoryMiB = limits.memoryMiB
        guard jobsPerProcess >= 0, memoryMiB >= 0 else {
            throw ValidationError("--max-jobs-per-executor and --max-executor-memory-mb must be ≥ 0")
        }
        guard killGraceSeconds >= 0 else {
            throw ValidationError("--kill-grace-seconds must be ≥ 0, got \(killGraceSeconds)")
        }
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw WorkerFailure(
                description: "cannot find this program's path (/proc/self/exe) to start executor processes")
        }
        // The child loads the same plugins with the same settings; the environment (REDIS_URL,
        // MIMIR_PLUGIN_CONFIG, ...) is inherited.
        var arguments = ["executor-process", "--plugin-dir", try directory.resolved()]
        if let dataDir = options.dataDir { arguments += ["--data-dir", dataDir] }
        if let pluginConfig = options.pluginConfig { arguments += ["--plugin-config", pluginConfig] }
        if let logLevel = options.logLevel { arguments += ["--log-level", logLevel] }
        return .processes(
            ExecutorProcessPool(
                settings: ExecutorProcessSettings(
                    executable: "/proc/self/exe", programName: executable, arguments: arguments, processes: slots,
                    maximumJobsPerProcess: jobsPerProcess == 0 ? nil : jobsPerProcess,
                    maximumResidentBytes: memoryMiB == 0 ? nil : Int64(memoryMiB) << 20,
                    killGrace: .milliseconds(Int64(killGraceSeconds * 1000))),
                logger: logger))
    }

    private var resolvedRedisURL: String {
        redisURL ?? Environment.value("REDIS_URL").flatMap { $0.isEmpty ? nil : $0 } ?? "redis://127.0.0.1:6379/0"
    }

    private var resolvedNamespace: String {
        redisNamespace ?? Environment.value("REDIS_NAMESPACE").flatMap { $0.isEmpty ? nil : $0 } ?? "mimir"
    }

    /// The worker credential for the orchestrator's API: `MIMIR_WORKER_TOKEN`, else the file named
    /// by `MIMIR_WORKER_TOKEN_FILE`. Never a flag: arguments are visible to every local user.
    static func workerToken() throws -> String? {
        if let token = Environment.value("MIMIR_WORKER_TOKEN"), !token.isEmpty { return token }
        guard let path = Environment.value("MIMIR_WORKER_TOKEN_FILE"), !path.isEmpty else { return nil }
        do {
            var token = Substring(try String(contentsOfFile: path, encoding: .utf8))
            while token.first?.isWhitespace == true { token.removeFirst() }
            while token.last?.isWhitespace == true { token.removeLast() }
            return token.isEmpty ? nil : String(token)
        } catch let error as CocoaError {
            // FoundationEssentials' errors print as structures; the system's reason reads better.
            let reason =
                (error.userInfo["NSUnderlyingError"] as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
                ?? "error \(error.code.rawValue)"
            throw ValidationError("MIMIR_WORKER_TOKEN_FILE \(path) cannot be read: \(reason)")
        }
    }

    static func defaultWorkerID() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host.isEmpty ? "worker" : host)-\(getpid())"
    }
}
