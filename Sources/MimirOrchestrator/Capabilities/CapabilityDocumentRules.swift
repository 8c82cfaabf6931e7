import MimirCore

/// The checks a `capabilities` array and a `resources` object pass, in a worker's registration and
/// in an image declaration alike, each problem naming its field.
enum CapabilityDocumentRules {
    static let capabilityFields = [
        "job_type", "plugin", "plugin_version", "executor_version", "abi", "parameters_schema", "needs_gpu",
        "concurrent", "memory_hint_bytes",
    ]
    static let resourceFields = ["cpu", "memory", "gpu"]

    static func checkCapabilities(_ value: JSONValue?, at path: String, _ problems: inout Problems) {
        guard let value else {
            problems.add(path, "required: an array of executors (job_type, executor_version, ...)")
            return
        }
        guard let entries = value.arrayValue else {
            problems.add(path, "must be an array of executors, got \(value.typeName)")
            return
        }
        var seen: Set<String> = []
        for (index, capability) in entries.enumerated() {
            let entryPath = "\(path)[\(index)]"
            guard let entry = problems.object(capability, at: entryPath) else { continue }
            problems.refuseUnknown(entry, allowed: capabilityFields, at: entryPath)
            if let type = entry["job_type"].flatMap({ problems.string($0, at: "\(entryPath).job_type", nonEmpty: true) }
            ) {
                if !Identifiers.isValidJobType(type) {
                    problems.add("\(entryPath).job_type", "\"\(type)\" is not a job type (\(Identifiers.jobTypeRule))")
                } else if !seen.insert(type).inserted {
                    problems.add("\(entryPath).job_type", "\(type) appears twice: one executor serves each job type")
                }
            } else if entry["job_type"] == nil {
                problems.add("\(entryPath).job_type", "required")
            }
            if let version = entry["executor_version"].flatMap({
                problems.string($0, at: "\(entryPath).executor_version", nonEmpty: true)
            }) {
                if SemanticVersion(version) == nil {
                    problems.add("\(entryPath).executor_version", "\"\(version)\" is not a semantic version")
                }
            } else if entry["executor_version"] == nil {
                problems.add("\(entryPath).executor_version", "required")
            }
            for key in ["plugin", "plugin_version"] {
                if let field = entry[key] { _ = problems.string(field, at: "\(entryPath).\(key)", nonEmpty: true) }
            }
            for key in ["needs_gpu", "concurrent"] {
                if let flag = entry[key], flag.boolValue == nil {
                    problems.add("\(entryPath).\(key)", "must be a boolean, got \(flag.typeName)")
                }
            }
            if let abi = entry["abi"] { _ = problems.string(abi, at: "\(entryPath).abi", nonEmpty: false) }
            if let hint = entry["memory_hint_bytes"], (hint.int64Value ?? -1) < 0 {
                problems.add(
                    "\(entryPath).memory_hint_bytes", "must be a whole number of bytes ≥ 0, got \(hint.jsonText())")
            }
            if let schema = entry["parameters_schema"], schema.objectValue == nil, schema.boolValue == nil {
                problems.add("\(entryPath).parameters_schema", "must be a JSON Schema (object), got \(schema.typeName)")
            }
        }
    }

    static func checkResources(_ value: JSONValue?, at path: String, _ problems: inout Problems) {
        guard let value, let fields = problems.object(value, at: path) else { return }
        problems.refuseUnknown(fields, allowed: resourceFields, at: path)
        for (key, example) in [("cpu", "\"500m\", \"2\""), ("memory", "\"512Mi\", \"8Gi\"")] {
            guard let field = fields[key] else { continue }
            let text = field.stringValue ?? (field.doubleValue != nil ? field.jsonText() : nil)
            if text.flatMap(KubernetesQuantity.init).map(\.isWithinLimits) != true {
                problems.add(
                    "\(path).\(key)", "\(field.jsonText()) is not a Kubernetes quantity (for example \(example))")
            }
        }
        if let gpu = fields["gpu"], (gpu.int64Value ?? -1) < 0 {
            problems.add("\(path).gpu", "must be a whole number of GPUs (0 or more), got \(gpu.jsonText())")
        }
    }
}
