import MimirCore
import MimirJSONSchema
import PluginABI

#if canImport(Glibc)
    import Glibc
#endif

/// Turns a plugin's C descriptor into a validated `PluginManifest`. Runs only after the
/// handshake has accepted magic, ABI version and struct size.
struct DescriptorReader {
    /// Limits on what a descriptor may declare, so a broken or hostile plugin cannot make the host
    /// scan unbounded memory or compile an enormous schema (and every registration, capability
    /// listing and image declaration carry its schemas): executors per plugin, bytes of one
    /// parameters schema, bytes of any other string (description, build_info; names and versions
    /// have their own, shorter, rules). Documented in docs/plugin-authors.md.
    static let maximumExecutors = 1024
    static let maximumSchemaBytes = 1 << 20
    static let maximumTextBytes = 64 << 10
    static let knownExecutorFlags = UInt32(MIMIR_EXECUTOR_NEEDS_GPU | MIMIR_EXECUTOR_CONCURRENT)

    /// The smallest executor descriptor a 1.0 plugin may declare: everything up to `execute`.
    static let executorV1Size =
        (MemoryLayout<mimir_executor_descriptor>.offset(of: \.execute) ?? 0) + MemoryLayout<mimir_execute_fn?>.size

    struct Result {
        var manifest: PluginManifest
        var schemas: [JSONSchema]
        var executeFunctions: [mimir_execute_fn]
    }

    static func read(_ descriptor: mimir_plugin_descriptor) throws(PluginLoadError.Reason) -> Result {
        let name = try requiredString(descriptor.name, field: "name")
        guard Identifiers.isValidPluginName(name) else {
            throw .invalidDescriptor("name \"\(name)\" must be \(Identifiers.pluginNameRule)")
        }
        let versionText = try requiredString(descriptor.version, field: "version")
        guard let version = SemanticVersion(versionText) else {
            throw .invalidDescriptor(
                "version \"\(versionText)\" is not a semantic version (MAJOR.MINOR.PATCH, semver.org)")
        }
        let buildInfo = try optionalString(descriptor.build_info, field: "build_info")

        let count = Int(descriptor.executor_count)
        guard count > 0 else { throw .invalidDescriptor("declares no executors (executor_count is 0)") }
        guard count <= maximumExecutors else {
            throw .invalidDescriptor("executor_count \(count) exceeds the limit of \(maximumExecutors)")
        }
        guard let executorPointers = descriptor.executors else {
            throw .invalidDescriptor("executors is NULL but executor_count is \(count)")
        }

        var executors: [ExecutorManifest] = []
        var schemas: [JSONSchema] = []
        var functions: [mimir_execute_fn] = []
        for index in 0..<count {
            guard let pointer = executorPointers[index] else {
                throw .invalidExecutor(index: index, jobType: nil, problem: "descriptor pointer is NULL")
            }
            let (executor, schema, execute) = try readExecutor(pointer, index: index)
            if executors.contains(where: { $0.jobType == executor.jobType }) {
                throw .invalidExecutor(
                    index: index, jobType: executor.jobType, problem: "job type declared twice in the same plugin")
            }
            executors.append(executor)
            schemas.append(schema)
            functions.append(execute)
        }
        let manifest = PluginManifest(
            name: name, version: version, buildInfo: buildInfo,
            abiVersion: ABIVersion(major: descriptor.abi_major, minor: descriptor.abi_minor), executors: executors)
        return Result(manifest: manifest, schemas: schemas, executeFunctions: functions)
    }

    private static func readExecutor(
        _ pointer: UnsafePointer<mimir_executor_descriptor>, index: Int
    ) throws(PluginLoadError.Reason) -> (ExecutorManifest, JSONSchema, mimir_execute_fn) {
        let declaredSize = pointer.pointee.struct_size
        guard Int(declaredSize) >= executorV1Size else {
            throw .invalidExecutor(
                index: index, jobType: nil,
                problem:
                    "struct_size \(declaredSize) is smaller than the ABI 1.0 executor descriptor (\(executorV1Size) bytes)"
            )
        }
        let raw = SizePrefixed.read(pointer, declaredSize: Int(declaredSize))
        func fail(_ problem: String, _ jobType: String? = nil) -> PluginLoadError.Reason {
            .invalidExecutor(index: index, jobType: jobType, problem: problem)
        }
        // The string readers report descriptor-level problems; here they concern one executor.
        func fail(_ reason: PluginLoadError.Reason, _ jobType: String? = nil) -> PluginLoadError.Reason {
            if case .invalidDescriptor(let problem) = reason { return fail(problem, jobType) }
            return reason
        }

        let jobType: String
        do { jobType = try requiredString(raw.job_type, field: "job_type") } catch { throw fail(error) }
        guard Identifiers.isValidJobType(jobType) else {
            throw fail("job type \"\(jobType)\" must be \(Identifiers.jobTypeRule)")
        }
        let versionText: String
        do { versionText = try requiredString(raw.version, field: "version") } catch { throw fail(error, jobType) }
        guard let version = SemanticVersion(versionText) else {
            throw fail("version \"\(versionText)\" is not a semantic version (MAJOR.MINOR.PATCH, semver.org)", jobType)
        }
        let summary: String?
        do { summary = try optionalString(raw.description, field: "description") } catch {
            throw fail(error, jobType)
        }

        let schemaText: String?
        do {
            schemaText = try optionalString(
                raw.parameters_schema, field: "parameters_schema", limit: maximumSchemaBytes)
        } catch {
            throw fail(error, jobType)
        }
        let schema: JSONSchema
        do {
            if let schemaText {
                schema = try JSONSchema(text: schemaText)
            } else {
                schema = try JSONSchema(.object(["type": "object"]))
            }
        } catch {
            throw fail("parameters_schema is not a valid JSON Schema: \(error)", jobType)
        }
        // Parameters are always an object (`task_spec.parameters`); a schema for anything else
        // would refuse every job.
        guard schema.document["type"] == "object" else {
            throw fail("parameters_schema must describe an object: its root needs \"type\": \"object\"", jobType)
        }
        let unknownFlags = raw.flags & ~knownExecutorFlags
        guard unknownFlags == 0 else {
            throw fail("unknown flag bits 0x\(String(unknownFlags, radix: 16)) for ABI 1.0", jobType)
        }
        guard let execute = raw.execute else { throw fail("execute function is NULL", jobType) }

        let manifest = ExecutorManifest(
            jobType: jobType, version: version, summary: summary, parametersSchema: schema.document,
            needsGPU: raw.flags & UInt32(MIMIR_EXECUTOR_NEEDS_GPU) != 0,
            concurrent: raw.flags & UInt32(MIMIR_EXECUTOR_CONCURRENT) != 0,
            memoryHintBytes: raw.memory_hint_bytes)
        return (manifest, schema, execute)
    }

    private static func requiredString(
        _ pointer: UnsafePointer<CChar>?, field: String
    ) throws(PluginLoadError.Reason) -> String {
        guard let value = try optionalString(pointer, field: field) else {
            throw .invalidDescriptor("\(field) is NULL")
        }
        guard !value.isEmpty else { throw .invalidDescriptor("\(field) is empty") }
        return value
    }

    private static func optionalString(
        _ pointer: UnsafePointer<CChar>?, field: String, limit: Int = maximumTextBytes
    ) throws(PluginLoadError.Reason) -> String? {
        guard let pointer else { return nil }
        // strnlen: never reads further than one byte past the limit, whatever the plugin points at.
        let length = strnlen(pointer, limit + 1)
        guard length <= limit else {
            throw .invalidDescriptor("\(field) is longer than the limit of \(limit) bytes")
        }
        guard let value = String(validatingCString: pointer) else {
            throw .invalidDescriptor("\(field) is not valid UTF-8")
        }
        return value
    }
}
