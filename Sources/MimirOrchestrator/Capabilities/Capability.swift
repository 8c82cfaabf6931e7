import MimirCore

/// One executor a worker or image offers, as registrations and declarations describe it.
struct Capability: Sendable, Hashable {
    var jobType: String
    /// Optional in a declaration, always present in a worker's report.
    var plugin: String?
    var pluginVersion: String?
    var executorVersion: SemanticVersion
    var needsGPU: Bool
    var parametersSchema: JSONValue?

    /// The entries of a `capabilities` array that name a job type and a version (checked on input).
    static func list(_ document: JSONValue?) -> [Capability] {
        (document?.arrayValue ?? []).compactMap { entry in
            guard let type = entry["job_type"]?.stringValue,
                let version = entry["executor_version"]?.stringValue.flatMap(SemanticVersion.init)
            else { return nil }
            return Capability(
                jobType: type, plugin: entry["plugin"]?.stringValue,
                pluginVersion: entry["plugin_version"]?.stringValue,
                executorVersion: version, needsGPU: entry["needs_gpu"]?.boolValue ?? false,
                parametersSchema: entry["parameters_schema"])
        }
    }

    /// "ml_training 1.2.0 (mimir-ml 1.2.0)", or without the plugin when it is not known.
    var label: String {
        var text = "\(jobType) \(executorVersion)"
        if let plugin { text += " (\(plugin)\(pluginVersion.map { " \($0)" } ?? ""))" }
        return text
    }
}

/// What a worker or image offers to run jobs with.
struct ResourceOffer: Sendable, Hashable {
    var gpus: Int64 = 0
    /// `nil` when not stated: any request is taken to fit.
    var cpuMillicores: Int64?
    var memoryBytes: Int64?

    init(gpus: Int64 = 0, cpuMillicores: Int64? = nil, memoryBytes: Int64? = nil) {
        self.gpus = gpus
        self.cpuMillicores = cpuMillicores
        self.memoryBytes = memoryBytes
    }

    /// From a `resources` object: cpu and memory as Kubernetes quantities, gpu a count.
    init(_ document: JSONValue?) {
        func quantity(_ key: String) -> KubernetesQuantity? {
            guard let field = document?[key] else { return nil }
            return (field.stringValue ?? field.doubleValue.map { "\($0)" }).flatMap(KubernetesQuantity.init)
        }
        gpus = document?["gpu"]?.int64Value ?? 0
        cpuMillicores = quantity("cpu")?.thousandths(.down)
        memoryBytes = quantity("memory")?.whole(.down)
    }
}

/// A source of capabilities the orchestrator knows: a worker image (what its latest worker reported,
/// else what the configuration declares) or a live worker.
struct CapabilityProvider: Sendable {
    enum Kind: String, Sendable {
        case image, worker
    }

    var kind: Kind
    /// The image name, or the worker id.
    var name: String
    var image: String
    var capabilities: [Capability]
    var resources: ResourceOffer

    func capabilities(of type: String) -> [Capability] { capabilities.filter { $0.jobType == type } }
}
