import MimirCore
import Testing

@testable import MimirOrchestrator
@testable import MimirQueue

/// The in-memory capability catalog, without Redis: which of two overlapping loads it keeps.
@Suite("Capability catalog")
struct CapabilityCatalogTests {
    static let now: Int64 = 1_000_000

    static func worker(_ id: String, serving type: String) -> WorkerRecord {
        WorkerRecord(
            id: id,
            document: [
                "image": "img", "capabilities": [["job_type": .string(type), "executor_version": "1.0.0"]],
            ],
            registeredAt: now, heartbeatAt: now, reportedStatus: "idle", runningJobs: [])
    }

    @Test("a load that began earlier but ends later does not replace a later one: a worker just registered stays")
    func earlierLoadEndingLateIsDropped() {
        let catalog = CapabilityCatalog()
        // A maintenance pass begins reading before the worker registers; the registration's own
        // load begins after, sees the worker, and ends first.
        let maintenance = catalog.beginLoad()
        let registration = catalog.beginLoad()
        catalog.refresh(
            workers: [Self.worker("w-old", serving: "a"), Self.worker("w-new", serving: "b")], images: [],
            now: Self.now, loadedBy: registration)
        catalog.refresh(workers: [Self.worker("w-old", serving: "a")], images: [], now: Self.now, loadedBy: maintenance)
        #expect(catalog.knownTypes == ["a", "b"])
        #expect(catalog.snapshot.liveWorkers.map(\.name) == ["w-new", "w-old"])

        // A later load still replaces it, a worker gone included.
        catalog.refresh(
            workers: [Self.worker("w-new", serving: "b")], images: [], now: Self.now, loadedBy: catalog.beginLoad())
        #expect(catalog.knownTypes == ["b"])
    }
}
