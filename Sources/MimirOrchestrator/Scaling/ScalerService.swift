import ServiceLifecycle

/// Runs the scaler every interval until graceful shutdown, then lets the backend stop tracking
/// (local workers are asked to drain). A submission no worker was there for
/// (`Scaler.submitted`) or a worker's end (`WorkerBackend.notifyOnEvents`) ends the wait early;
/// such early passes stay `minimumGap` apart, so a stream of them costs at most one pass per gap
/// on top of the regular ones, and the first after a quiet spell is not held back by a regular
/// pass that just ran.
struct ScalerService: Service {
    let pass: @Sendable () async -> Void
    let signal: PassSignal
    let interval: Duration
    let minimumGap: Duration
    let shutdown: @Sendable () async -> Void

    init(scaler: Scaler, minimumGap: Duration = .milliseconds(100)) {
        self.init(
            pass: { await scaler.pass() }, signal: scaler.passSignal, interval: scaler.settings.interval,
            minimumGap: minimumGap, shutdown: { await scaler.backend?.shutdown() })
    }

    init(
        pass: @escaping @Sendable () async -> Void, signal: PassSignal, interval: Duration, minimumGap: Duration,
        shutdown: @escaping @Sendable () async -> Void = {}
    ) {
        self.pass = pass
        self.signal = signal
        self.interval = interval
        self.minimumGap = minimumGap
        self.shutdown = shutdown
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var lastEarlyPass: ContinuousClock.Instant?
            while !Task.isCancelled {
                await pass()
                if await signal.wait(upTo: interval) {
                    if let lastEarlyPass { try await Task.sleep(until: lastEarlyPass + minimumGap, clock: .continuous) }
                    lastEarlyPass = .now
                }
            }
        }
        await shutdown()
    }
}
