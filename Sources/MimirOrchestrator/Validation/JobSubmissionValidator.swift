import MimirCore
import MimirQueue
import MimirStorage

/// Checks a submitted job document field by field and turns it into a `NewJob`. Every problem
/// is reported at once, each naming its field; unknown fields are refused rather than ignored,
/// so a typo never silently drops a setting.
struct JobSubmissionValidator: Sendable {
    let configuredTypes: [String]
    let defaultMaxAttempts: Int
    /// The known images and live workers: once there are any, a job is accepted only if one of
    /// them can serve it, and the parameters are checked against its executor's schema.
    var catalog: CapabilityCatalog? = nil

    /// What images and live workers serve; the configured types while nothing is known of them.
    var knownTypes: [String] {
        guard let catalog, !catalog.isEmpty else { return configuredTypes }
        return catalog.knownTypes.sorted()
    }

    static let maximumTimeoutSeconds = 7.0 * 86_400

    func validate(_ document: JSONValue) throws(APIError) -> NewJob {
        guard let fields = document.objectValue else {
            throw APIError(
                status: .unprocessableContent, code: "invalid_job",
                message: "a job must be a JSON object, got \(document.typeName)")
        }
        var problems = Problems()
        problems.refuseUnknown(
            fields,
            allowed: [
                "type", "priority", "project_id", "task_spec", "resource_requirements", "data_access", "max_attempts",
            ],
            at: "")

        let knownTypes = self.knownTypes
        let type = fields["type"].flatMap { problems.string($0, at: "type", nonEmpty: true) }
        if fields["type"] == nil { problems.add("type", "required: one of \(knownTypes.joined(separator: ", "))") }
        let priority =
            fields["priority"].map { problems.integer($0, at: "priority", in: QueueFunctionsRange.priority) } ?? 5
        let maxAttempts =
            fields["max_attempts"].map { problems.integer($0, at: "max_attempts", in: 1...100) } ?? defaultMaxAttempts
        var projectID = ""
        if let value = fields["project_id"], let text = problems.string(value, at: "project_id", nonEmpty: true) {
            if Identifiers.isValidProjectID(text) {
                projectID = text
            } else {
                problems.add("project_id", "must be \(Identifiers.projectIDRule), got \"\(text)\"")
            }
        }

        var spec: [String: JSONValue] = [:]
        let task = taskSpec(fields["task_spec"], &problems)
        spec["task_spec"] = .object(task)
        let range = task["executor_version"]?.stringValue.flatMap { try? VersionRange($0) }
        if let type, let executor = catalog?.newest(for: type, within: range), let schema = executor.schema,
            let parameters = task["parameters"]
        {
            for violation in schema.validate(parameters) {
                problems.add(
                    "task_spec.parameters\(violation.instancePath)",
                    "\(violation.message) (schema of \(executor.capability.label))"
                )
            }
        }
        if let value = fields["resource_requirements"] { spec["resource_requirements"] = resources(value, &problems) }
        if let value = fields["data_access"] { spec["data_access"] = dataAccess(value, &problems) }

        if let type, !knownTypes.contains(type), !problems.isEmpty {
            problems.add("type", "unknown job type \"\(type)\"; known types: \(knownTypes.joined(separator: ", "))")
            var error = problems.error
            error.extra["known_types"] = .array(knownTypes.map(JSONValue.string))
            throw error
        }
        if let type, !knownTypes.contains(type), problems.isEmpty {
            throw APIError(
                status: .unprocessableContent, code: "unknown_job_type",
                message: "unknown job type \"\(type)\"; known types: \(knownTypes.joined(separator: ", "))",
                problems: [APIError.Problem(field: "type", message: "unknown job type \"\(type)\"")],
                extra: ["known_types": .array(knownTypes.map(JSONValue.string))])
        }
        guard problems.isEmpty, let type else { throw problems.error }
        try refuseUnservable(type: type, spec: .object(spec))
        return NewJob(
            type: type, priority: priority, projectID: projectID, maxAttempts: maxAttempts, spec: .object(spec),
            requirements: Self.requirements(of: .object(spec)))
    }

    /// A 422 when no known image or live worker could ever take the job: it would wait forever.
    private func refuseUnservable(type: String, spec: JSONValue) throws(APIError) {
        guard let catalog, !catalog.isEmpty else { return }
        let needs = JobNeeds(type: type, spec: spec)
        let snapshot = catalog.snapshot
        guard let unmet = needs.firstUnmet(among: snapshot.providers) else { return }
        var message = needs.describe(unmet, who: "no known worker image or live worker")
        var extra: [String: JSONValue] = [:]
        if unmet == .type {
            message += "; known types: \(knownTypes.joined(separator: ", "))"
            extra["known_types"] = .array(knownTypes.map(JSONValue.string))
        } else {
            let offers = snapshot.providers.filter { !$0.capabilities(of: type).isEmpty }.map { provider in
                let versions = provider.capabilities(of: type).map(\.executorVersion.description).joined(
                    separator: ", ")
                var resources = "\(provider.resources.gpus) GPU"
                if let cpu = provider.resources.cpuMillicores { resources += ", \(cpu)m CPU" }
                if let memory = provider.resources.memoryBytes { resources += ", \(memory / (1 << 20))Mi memory" }
                return "\(provider.kind.rawValue) \(provider.name): \(type) \(versions), \(resources)"
            }
            message += "; offered: \(offers.joined(separator: "; "))"
        }
        throw APIError(
            status: .unprocessableContent, code: unmet == .type ? "unknown_job_type" : "unservable_job",
            message: message, problems: [APIError.Problem(field: unmet.field, message: message)], extra: extra)
    }

    /// What a worker must offer, from the validated spec: the version range's bounds, a GPU,
    /// CPU in millicores and memory in bytes.
    static func requirements(of spec: JSONValue) -> JobRequirements {
        let range = spec["task_spec"]?["executor_version"]?.stringValue.flatMap { try? VersionRange($0) }
        let resources = spec["resource_requirements"]
        func quantity(_ key: String) -> KubernetesQuantity? {
            resources?[key]?.stringValue.flatMap(KubernetesQuantity.init)
        }
        return JobRequirements(
            minimumVersion: range?.lower.map(VersionRange.number), belowVersion: range?.upper.map(VersionRange.number),
            gpu: resources?["gpu"]?.boolValue == true,
            cpuMillicores: quantity("cpu")?.thousandths(.up), memoryBytes: quantity("memory")?.whole(.up))
    }

    private func taskSpec(_ value: JSONValue?, _ problems: inout Problems) -> [String: JSONValue] {
        guard let value else { return ["parameters": .object([:])] }
        guard let fields = problems.object(value, at: "task_spec") else { return [:] }
        problems.refuseUnknown(
            fields, allowed: ["pipeline_id", "model_id", "parameters", "executor_version", "timeout_seconds"],
            at: "task_spec")
        var spec: [String: JSONValue] = ["parameters": .object([:])]
        for key in ["pipeline_id", "model_id", "executor_version"] {
            if let field = fields[key], let text = problems.string(field, at: "task_spec.\(key)", nonEmpty: true) {
                spec[key] = .string(text)
            }
        }
        if let range = spec["executor_version"]?.stringValue {
            do {
                _ = try VersionRange(range)
            } catch {
                problems.add("task_spec.executor_version", "\(error)")
            }
        }
        if let parameters = fields["parameters"], problems.object(parameters, at: "task_spec.parameters") != nil {
            spec["parameters"] = parameters
        }
        if let timeout = fields["timeout_seconds"] {
            if let seconds = timeout.doubleValue, seconds > 0, seconds <= Self.maximumTimeoutSeconds {
                spec["timeout_seconds"] = timeout
            } else {
                problems.add(
                    "task_spec.timeout_seconds",
                    "must be a number of seconds greater than 0 and at most \(Int(Self.maximumTimeoutSeconds)), got \(timeout.jsonText())"
                )
            }
        }
        return spec
    }

    private func resources(_ value: JSONValue, _ problems: inout Problems) -> JSONValue {
        guard let fields = problems.object(value, at: "resource_requirements") else { return .null }
        problems.refuseUnknown(fields, allowed: ["cpu", "memory", "gpu"], at: "resource_requirements")
        var resources: [String: JSONValue] = [:]
        for (key, example) in [("cpu", "\"500m\", \"2\""), ("memory", "\"512Mi\", \"1Gi\"")] {
            guard let field = fields[key] else { continue }
            let text = field.stringValue ?? (field.doubleValue != nil ? field.jsonText() : nil)
            guard let text, let quantity = KubernetesQuantity(text) else {
                problems.add(
                    "resource_requirements.\(key)",
                    "\(field.jsonText()) is not a Kubernetes quantity (for example \(example))")
                continue
            }
            guard quantity.value > 0 else {
                problems.add("resource_requirements.\(key)", "must be greater than zero, got \"\(text)\"")
                continue
            }
            guard quantity.isWithinLimits else {
                problems.add(
                    "resource_requirements.\(key)", "\"\(text)\" is larger than any worker can offer (at most 9e15)")
                continue
            }
            resources[key] = .string(text)
        }
        if let gpu = fields["gpu"] {
            if let flag = gpu.boolValue {
                resources["gpu"] = .bool(flag)
            } else {
                problems.add("resource_requirements.gpu", "must be a boolean, got \(gpu.typeName)")
            }
        }
        return .object(resources)
    }

    private func dataAccess(_ value: JSONValue, _ problems: inout Problems) -> JSONValue {
        guard let fields = problems.object(value, at: "data_access") else { return .null }
        problems.refuseUnknown(fields, allowed: ["input_datasets", "output_location"], at: "data_access")
        var access: [String: JSONValue] = [:]
        if let inputs = fields["input_datasets"] {
            if let list = inputs.arrayValue {
                for (index, item) in list.enumerated() {
                    let field = "data_access.input_datasets[\(index)]"
                    if let reference = problems.string(item, at: field, nonEmpty: true),
                        let problem = ProjectStorage.referenceProblem(reference, direction: .input)
                    {
                        problems.add(field, problem)
                    }
                }
                access["input_datasets"] = inputs
            } else {
                problems.add("data_access.input_datasets", "must be an array of strings, got \(inputs.typeName)")
            }
        }
        if let output = fields["output_location"],
            let text = problems.string(output, at: "data_access.output_location", nonEmpty: true)
        {
            if let problem = ProjectStorage.referenceProblem(text, direction: .output) {
                problems.add("data_access.output_location", problem)
            }
            access["output_location"] = .string(text)
        }
        return .object(access)
    }
}

/// The priority range, shared with the queue's scoring.
enum QueueFunctionsRange {
    static let priority = 0...9
}

/// Problems found so far, each with the field it concerns.
struct Problems {
    private(set) var list: [APIError.Problem] = []

    var isEmpty: Bool { list.isEmpty }

    mutating func add(_ field: String, _ message: String) {
        list.append(APIError.Problem(field: field, message: message))
    }

    var error: APIError { error(code: "invalid_job") }

    func error(code: String) -> APIError {
        let summary = list.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return APIError(
            status: .unprocessableContent, code: code,
            message: list.count == 1 ? summary : "\(list.count) problems: \(summary)", problems: list)
    }

    mutating func refuseUnknown(_ fields: [String: JSONValue], allowed: [String], at path: String) {
        for key in fields.keys.sorted() where !allowed.contains(key) {
            add(path.isEmpty ? key : "\(path).\(key)", "unknown field (allowed: \(allowed.joined(separator: ", ")))")
        }
    }

    mutating func string(_ value: JSONValue, at field: String, nonEmpty: Bool) -> String? {
        guard let text = value.stringValue else {
            add(field, "must be a string, got \(value.typeName)")
            return nil
        }
        if nonEmpty && text.isEmpty {
            add(field, "must not be empty")
            return nil
        }
        return text
    }

    mutating func integer(_ value: JSONValue, at field: String, in range: ClosedRange<Int>) -> Int {
        guard let number = value.int64Value, let integer = Int(exactly: number), range.contains(integer) else {
            add(field, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(value.jsonText())")
            return range.lowerBound
        }
        return integer
    }

    mutating func object(_ value: JSONValue, at field: String) -> [String: JSONValue]? {
        guard let object = value.objectValue else {
            add(field, "must be an object, got \(value.typeName)")
            return nil
        }
        return object
    }
}
