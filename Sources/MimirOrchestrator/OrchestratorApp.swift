import Glibc
import Hummingbird
import Logging
import MimirQueue
import MimirRedis
import MimirTwin
import NIOCore
import ServiceLifecycle

/// Why the orchestrator could not start.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}

/// The orchestrator process: the REST API, the queue in Redis and its maintenance, wired
/// together and run until SIGTERM or SIGINT.
public struct OrchestratorApp: Sendable {
    public let configuration: OrchestratorConfiguration
    public let logger: Logger

    public init(configuration: OrchestratorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until a termination signal; `onListening` receives the bound port (useful with port 0).
    public func run(
        clock: any QueueClock = SystemQueueClock(), onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    )
        async throws
    {
        // Credentials first: a bad token file stops the start before anything else happens.
        let auth = try AuthSetup.load(configuration.auth, dataDirectory: configuration.dataDirectory, logger: logger)
        if let generated = auth.generatedAdmin {
            Self.announce(generatedAdmin: generated.token, file: generated.file)
        }
        let redisConfiguration = try RedisConfiguration(url: configuration.redisURL)
        let redis = RedisClient(
            configuration: redisConfiguration, poolSize: configuration.redisPoolSize, logger: logger)
        let queue = JobQueue(redis: redis, configuration: configuration.queue, clock: clock, logger: logger)
        do {
            try await queue.prepare()
        } catch QueueError.unavailable(let error) {
            // Not fatal (down, or still loading its data): the API answers 503 until Redis is
            // ready, and functions load on first use.
            logger.warning("Redis not ready at start; serving 503 until it is", metadata: ["error": "\(error)"])
        } catch {
            // Redis answered, but cannot run the queue (older than 7, wrong credentials, ...):
            // no amount of waiting fixes that, so say so and stop.
            await redis.shutdown()
            throw StartupError(
                description: "cannot use Redis at \(redisConfiguration.serverName) for the queue: \(error) "
                    + "(Mimir needs Redis 7 or newer, for functions, and the right credentials in REDIS_URL)")
        }
        let metrics = OrchestratorMetrics()
        let workers = WorkerDirectory(queue: queue)
        let catalog = CapabilityCatalog()
        let scaling = configuration.scaling
        let workerExecutable = ScalingSetup.workerExecutable(scaling)
        var declarations = configuration.workerImages
        if scaling.backend == .local, !scaling.localPluginDirectory.isEmpty {
            let local = try await LocalImageDeclaration.make(
                workerExecutable: workerExecutable, pluginDirectory: scaling.localPluginDirectory,
                slots: scaling.localWorkerSlots)
            declarations.declarations.removeAll { $0.image == local.image }
            declarations.declarations.append(local)
        }
        let catalogLoader = CapabilityCatalogLoader(
            workers: workers, images: ImageDirectory(queue: queue), declarations: declarations, catalog: catalog)
        let scaler = Scaler(
            backend: try ScalingSetup.backend(
                scaling, declarations: declarations, workerExecutable: workerExecutable, configuration: configuration,
                workerToken: auth.workerToken),
            settings: scaling,
            policy: .init(
                minimumWorkers: configuration.minWorkers, maximumWorkers: configuration.maxWorkers,
                queueThreshold: configuration.queueThreshold),
            queue: queue, workers: workers, catalog: catalog, metrics: metrics, logger: logger,
            workerEnvironment: ["REDIS_NAMESPACE": configuration.queue.namespace])
        // Known before the first request, so no submission is judged against an empty catalog.
        do {
            try await catalogLoader.reload()
        } catch {
            logger.warning("capability catalog not loaded at start", metadata: ["error": "\(error)"])
        }
        let router = Router(context: OrchestratorRequestContext.self)
        router.middlewares.add(APIErrorMiddleware())
        router.middlewares.add(RequestMetricsMiddleware())
        router.middlewares.add(
            AuthMiddleware(
                store: auth.store, metricsOpen: configuration.auth.metricsOpen,
                limiter: configuration.auth.rateLimitPerSecond > 0
                    ? RateLimiter(rate: configuration.auth.rateLimitPerSecond, burst: configuration.auth.rateLimitBurst)
                    : nil))
        let bodyLimits = BodyLimits(bytes: configuration.maxBodyBytes, depth: configuration.maxJSONDepth)
        let audit = AuditLog(
            redis: redis, namespace: configuration.queue.namespace, capacity: configuration.auditEntries, clock: clock)
        ServiceRoutes(redis: redis, metrics: metrics).register(on: router)
        JobRoutes(
            queue: queue,
            validator: JobSubmissionValidator(
                configuredTypes: configuration.jobTypes, defaultMaxAttempts: configuration.defaultMaxAttempts,
                catalog: catalog),
            metrics: metrics, bodyLimits: bodyLimits, audit: audit, scaler: scaler
        ).register(on: router)
        AuditRoutes(audit: audit).register(on: router)
        WorkerRoutes(
            directory: workers, catalog: catalogLoader, configuredTypes: configuration.jobTypes,
            bodyLimits: bodyLimits, scaler: scaler
        ).register(on: router)
        ScalingRoutes(scaler: scaler).register(on: router)
        EventRoutes(queue: queue, workers: workers, scaler: scaler, interval: .seconds(1)).register(on: router)
        TwinRoutes(reader: TwinReader(redis: redis, namespace: configuration.queue.namespace)).register(on: router)
        // Only requests no route matched reach the middlewares added from here on.
        router.middlewares.add(MethodNotAllowedMiddleware(routes: router.routes))
        if !configuration.frontendDirectory.isEmpty {
            router.middlewares.add(FileMiddleware(configuration.frontendDirectory, searchForIndexHtml: true))
        }

        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "mimir-orchestrator"),
            services: [
                RedisLifecycle { await redis.shutdown() },
                QueueMaintenance(
                    queue: queue, workers: workers, catalog: catalogLoader, metrics: metrics,
                    interval: configuration.reaperInterval, logger: logger),
                // Stopped first (reverse order): local workers drain while Redis is still there.
                ScalerService(scaler: scaler),
            ],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                scaler.listening(on: port)
                await onListening(port)
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// The embedded default's first words: how to get in. On stdout, once, never in the log.
    private static func announce(generatedAdmin token: String, file: String) {
        let text = """
            No API tokens are configured (API_TOKENS_FILE, API_TOKENS), so an admin token was generated
            and kept in \(file):

                MIMIR_TOKEN=\(token)

            Use it as "Authorization: Bearer <token>", in the web console's sign-in, or export it for mimirctl.

            """
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}
