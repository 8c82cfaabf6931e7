import MimirCore
import MimirJSONSchema
import MimirQueue
import Synchronization

/// What the live workers can run, rebuilt from their registrations on every maintenance pass
/// (so submissions are checked against it without a Redis call of their own).
final class CapabilityCatalog: Sendable {
    /// A worker counts as lost once it has been silent this long.
    static let lostAfter: Duration = .seconds(15)

    struct Executor: Sendable {
        var jobType: String
        var plugin: String
        var pluginVersion: String
        var executorVersion: SemanticVersion
        var schemaDocument: JSONValue
        var schema: JSONSchema?
        var needsGPU: Bool
        var images: Set<String>
        var workers: [String]
    }

    private let executors = Mutex<[String: [Executor]]>([:])

    /// Rebuilds the catalog from the workers that are not lost.
    func refresh(from workers: [WorkerRecord], now: Int64) {
        var catalog: [String: [Executor]] = [:]
        for worker in workers where now - worker.heartbeatAt <= Self.lostAfter.milliseconds {
            let image = worker.document["image"]?.stringValue ?? ""
            for capability in worker.document["capabilities"]?.arrayValue ?? [] {
                guard let type = capability["job_type"]?.stringValue,
                    let version = capability["executor_version"]?.stringValue.flatMap(SemanticVersion.init)
                else { continue }
                let plugin = capability["plugin"]?.stringValue ?? ""
                let pluginVersion = capability["plugin_version"]?.stringValue ?? ""
                var list = catalog[type] ?? []
                if let index = list.firstIndex(where: {
                    $0.plugin == plugin && $0.pluginVersion == pluginVersion && $0.executorVersion == version
                }) {
                    list[index].images.insert(image)
                    list[index].workers.append(worker.id)
                } else {
                    let document = capability["parameters_schema"] ?? ["type": "object"]
                    list.append(
                        Executor(
                            jobType: type, plugin: plugin, pluginVersion: pluginVersion, executorVersion: version,
                            schemaDocument: document, schema: try? JSONSchema(document),
                            needsGPU: capability["needs_gpu"]?.boolValue ?? false, images: [image], workers: [worker.id]
                        ))
                }
                catalog[type] = list
            }
        }
        for type in catalog.keys { catalog[type]?.sort { $0.executorVersion > $1.executorVersion } }
        let live = workers.filter { now - $0.heartbeatAt <= Self.lostAfter.milliseconds }
        executors.withLock { $0 = catalog }
        gpuWorkers.withLock {
            $0 = Set(live.filter { ($0.document["resources"]?["gpu"]?.int64Value ?? 0) > 0 }.map(\.id))
        }
        anyWorker.withLock { $0 = !live.isEmpty }
    }

    /// Job types some live worker serves.
    var liveTypes: Set<String> { executors.withLock { Set($0.keys) } }

    /// The newest live executor of a job type, whose schema submissions are checked against.
    func newest(for type: String) -> Executor? {
        executors.withLock { $0[type]?.first }
    }

    var all: [String: [Executor]] { executors.withLock { $0 } }

    /// Live workers that offer a GPU, by the `resources.gpu` of their registration.
    private let gpuWorkers = Mutex<Set<String>>([])
    /// Whether any worker is live: with none, nothing can be said about what will serve a job.
    private let anyWorker = Mutex(false)

    /// Why a queued job cannot be taken by any live worker, or `nil` when some live worker could.
    func waitingReason(for job: JobRecord) -> String? {
        guard job.status == .queued, anyWorker.withLock({ $0 }) else { return nil }
        guard let executors = executors.withLock({ $0[job.type] }), !executors.isEmpty else {
            return "no live worker serves job type \(job.type)"
        }
        var candidates = executors
        if let text = job.spec["task_spec"]?["executor_version"]?.stringValue, let range = try? VersionRange(text) {
            candidates = candidates.filter { range.contains($0.executorVersion) }
            if candidates.isEmpty {
                let versions = executors.map(\.executorVersion.description).joined(separator: ", ")
                return "no live worker runs a \(job.type) executor within \(text) (live: \(versions))"
            }
        }
        if job.spec["resource_requirements"]?["gpu"]?.boolValue == true {
            let withGPU = gpuWorkers.withLock { $0 }
            if !candidates.contains(where: { !Set($0.workers).isDisjoint(with: withGPU) }) {
                return "no live worker that serves \(job.type) offers a GPU"
            }
        }
        return nil
    }
}
