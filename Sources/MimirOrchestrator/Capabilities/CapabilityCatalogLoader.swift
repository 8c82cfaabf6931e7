import MimirCore
import MimirQueue

/// Fills the capability catalog from Redis, first making sure the image catalog there holds this
/// orchestrator's declarations (after a start, a configuration change, or a Redis that lost them).
struct CapabilityCatalogLoader: Sendable {
    let workers: WorkerDirectory
    let images: ImageDirectory
    let declarations: ImageDeclarations
    let catalog: CapabilityCatalog

    func reload() async throws(QueueError) {
        let ticket = catalog.beginLoad()
        var records = try await images.all()
        if !holdsDeclarations(records) {
            try await images.declare(declarations.declarations.map { ($0.image, $0.document) })
            records = try await images.all()
        }
        catalog.refresh(
            workers: try await workers.all(), images: records, now: SystemQueueClock().nowMilliseconds(),
            loadedBy: ticket)
    }

    /// Forgets undeclared images nothing has reported for the retention period.
    func prune() async throws(QueueError) -> Int {
        try await images.prune(unreportedFor: CapabilityCatalog.imageRetention)
    }

    private func holdsDeclarations(_ records: [WorkerImageRecord]) -> Bool {
        let stored = Dictionary(
            records.compactMap { record in record.declared.map { (record.name, $0) } },
            uniquingKeysWith: { first, _ in first })
        return stored.count == declarations.declarations.count
            && declarations.declarations.allSatisfy { stored[$0.image] == $0.document }
    }
}
