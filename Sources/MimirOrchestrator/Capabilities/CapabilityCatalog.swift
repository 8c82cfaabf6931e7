import MimirCore
import MimirJSONSchema
import MimirQueue
import Synchronization

/// What the orchestrator knows can run where: the worker images (declared, or reported by their
/// workers) and the live workers. Rebuilt from Redis on every maintenance pass and right after a
/// worker registers, so submissions are checked against it without a Redis call of their own.
final class CapabilityCatalog: Sendable {
    /// A worker counts as lost once it has been silent this long.
    static let lostAfter: Duration = .seconds(15)
    /// An undeclared image none of whose workers registered for this long is forgotten.
    static let imageRetention: Duration = .seconds(7 * 86_400)

    /// One executor version of a job type, with everyone that provides it.
    struct Executor: Sendable {
        var capability: Capability
        var schema: JSONSchema?
        /// Images whose effective capabilities include it.
        var images: Set<String> = []
        /// Images whose declaration includes it.
        var declaredBy: Set<String> = []
        /// Live workers running it.
        var workers: Set<String> = []

        var executorVersion: SemanticVersion { capability.executorVersion }
    }

    /// One image as the catalog listing shows it.
    struct Image: Sendable {
        var record: WorkerImageRecord
        var liveWorkers: [String]
        var mismatches: [String]
        /// Where its capabilities come from: a worker's report beats the declaration.
        var source: String { record.reported == nil ? "declared" : "reported" }
    }

    struct Snapshot: Sendable {
        /// Images first (by name), then live workers (by id).
        var providers: [CapabilityProvider] = []
        var executors: [String: [Executor]] = [:]
        var images: [Image] = []

        var liveWorkers: [CapabilityProvider] { providers.filter { $0.kind == .worker } }
        /// Job types some image or live worker serves.
        var knownTypes: Set<String> { Set(executors.keys) }
    }

    /// A load's place in the order loads began reading Redis.
    struct LoadTicket: Sendable {
        fileprivate let number: UInt64
    }

    private let loadsBegun = Atomic<UInt64>(0)
    /// The catalog, and the ticket of the load that built it.
    private let state = Mutex((snapshot: Snapshot(), loadedBy: UInt64(0)))

    var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Call before reading what `refresh` is given.
    func beginLoad() -> LoadTicket {
        LoadTicket(number: loadsBegun.add(1, ordering: .relaxed).newValue)
    }

    /// Rebuilds the catalog from the image records and the workers that are not lost, unless a
    /// load that began later has already done so.
    func refresh(workers: [WorkerRecord], images: [WorkerImageRecord], now: Int64, loadedBy ticket: LoadTicket) {
        let live = workers.filter { now - $0.heartbeatAt <= Self.lostAfter.milliseconds }
        var snapshot = Snapshot()
        for record in images.sorted(by: { $0.name < $1.name }) {
            let effective = record.reported ?? record.declared
            snapshot.providers.append(
                CapabilityProvider(
                    kind: .image, name: record.name, image: record.name,
                    capabilities: Capability.list(effective?["capabilities"]),
                    resources: ResourceOffer(effective?["resources"])))
            var mismatches: [String] = []
            if let declared = record.declared, let reported = record.reported {
                mismatches = ImageMismatches.between(declared: declared, reported: reported)
            }
            snapshot.images.append(
                Image(
                    record: record,
                    liveWorkers: live.filter { $0.document["image"]?.stringValue == record.name }.map(\.id).sorted(),
                    mismatches: mismatches))
        }
        for worker in live.sorted(by: { $0.id < $1.id }) {
            snapshot.providers.append(
                CapabilityProvider(
                    kind: .worker, name: worker.id, image: worker.document["image"]?.stringValue ?? "",
                    capabilities: Capability.list(worker.document["capabilities"]),
                    resources: ResourceOffer(worker.document["resources"])))
        }
        for provider in snapshot.providers {
            for capability in provider.capabilities {
                var list = snapshot.executors[capability.jobType] ?? []
                let index =
                    list.firstIndex { Self.sameExecutor($0.capability, capability) }
                    ?? {
                        list.append(Executor(capability: capability))
                        return list.count - 1
                    }()
                if list[index].capability.plugin == nil { list[index].capability.plugin = capability.plugin }
                if list[index].capability.pluginVersion == nil {
                    list[index].capability.pluginVersion = capability.pluginVersion
                }
                if list[index].capability.parametersSchema == nil, let schema = capability.parametersSchema {
                    list[index].capability.parametersSchema = schema
                }
                switch provider.kind {
                case .image: list[index].images.insert(provider.name)
                case .worker:
                    list[index].workers.insert(provider.name)
                    if !provider.image.isEmpty { list[index].images.insert(provider.image) }
                }
                snapshot.executors[capability.jobType] = list
            }
        }
        for image in images {
            for capability in Capability.list(image.declared?["capabilities"]) {
                guard
                    let index = snapshot.executors[capability.jobType]?.firstIndex(where: {
                        Self.sameExecutor($0.capability, capability)
                    })
                else { continue }
                snapshot.executors[capability.jobType]?[index].declaredBy.insert(image.name)
            }
        }
        for type in snapshot.executors.keys {
            snapshot.executors[type] = snapshot.executors[type]?.map { executor in
                var executor = executor
                executor.schema = executor.capability.parametersSchema.flatMap { try? JSONSchema($0) }
                return executor
            }.sorted { $0.executorVersion > $1.executorVersion }
        }
        state.withLock { current in
            // A registration's load and a maintenance pass's overlap: the one that began reading
            // later saw at least as much, and an earlier one ending after it would hide a worker
            // that has just registered until the next pass.
            guard ticket.number > current.loadedBy else { return }
            current = (snapshot, ticket.number)
        }
    }

    /// One executor unless both name their plugin and the names differ.
    private static func sameExecutor(_ a: Capability, _ b: Capability) -> Bool {
        a.executorVersion == b.executorVersion && (a.plugin == nil || b.plugin == nil || a.plugin == b.plugin)
    }

    /// Job types some image or live worker serves.
    var knownTypes: Set<String> { snapshot.knownTypes }

    /// Whether anything is known of what workers can run; with nothing, submissions are checked
    /// against the configured job types only.
    var isEmpty: Bool { snapshot.providers.isEmpty }

    /// The newest executor of a job type within `range` (any version without one), whose schema
    /// submissions are checked against.
    func newest(for type: String, within range: VersionRange?) -> Executor? {
        snapshot.executors[type]?.first { range?.contains($0.executorVersion) ?? true }
    }

    /// Why a queued job cannot be taken by any live worker, or `nil` when some live worker could
    /// (or none is live, when nothing can be said).
    func waitingReason(for job: JobRecord) -> String? {
        guard job.status == .queued else { return nil }
        let snapshot = self.snapshot
        let live = snapshot.liveWorkers
        guard !live.isEmpty else { return nil }
        let needs = JobNeeds(type: job.type, spec: job.spec)
        guard let unmet = needs.firstUnmet(among: live) else { return nil }
        let images = snapshot.providers.filter { $0.kind == .image }
        let able = images.filter { needs.firstUnmet(among: [$0]) == nil }.map(\.name)
        let hint = able.isEmpty ? "" : "; images that can: \(able.joined(separator: ", "))"
        return needs.describe(unmet, who: "no live worker") + hint
    }
}
