import ServiceLifecycle

/// Runs the scaler every interval until graceful shutdown, then lets the backend stop tracking
/// (local workers are asked to drain). A submission no worker was there for ends the wait early
/// (`Scaler.submitted`); passes stay `minimumGap` apart all the same, so a stream of such
/// submissions costs at most one pass per gap.
struct ScalerService: Service {
    let scaler: Scaler
    var minimumGap: Duration = .milliseconds(100)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let began = ContinuousClock.now
                await scaler.pass()
                if await scaler.passSignal.wait(upTo: scaler.settings.interval) {
                    try await Task.sleep(until: began + minimumGap, clock: .continuous)
                }
            }
        }
        await scaler.backend?.shutdown()
    }
}
