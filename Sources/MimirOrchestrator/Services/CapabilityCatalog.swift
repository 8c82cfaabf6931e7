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
        executors.withLock { $0 = catalog }
    }

    /// Job types some live worker serves.
    var liveTypes: Set<String> { executors.withLock { Set($0.keys) } }

    /// The newest live executor of a job type, whose schema submissions are checked against.
    func newest(for type: String) -> Executor? {
        executors.withLock { $0[type]?.first }
    }

    var all: [String: [Executor]] { executors.withLock { $0 } }
}
