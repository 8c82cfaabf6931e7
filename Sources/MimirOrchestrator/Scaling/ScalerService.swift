import ServiceLifecycle

/// Runs the scaler every interval until graceful shutdown, then lets the backend stop tracking
/// (local workers are asked to drain).
struct ScalerService: Service {
    let scaler: Scaler

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await scaler.pass()
                try await Task.sleep(for: scaler.settings.interval)
            }
        }
        await scaler.backend?.shutdown()
    }
}
