import Hummingbird

/// `GET /api/scaling`: the backend, its settings, each image's numbers and the latest decisions.
struct ScalingRoutes: Sendable {
    let scaler: Scaler

    func register(on router: Router<OrchestratorRequestContext>) {
        router.get("/api/scaling") { _, _ in JSONResponse.make(.ok, scaler.statusDocument) }
    }
}
