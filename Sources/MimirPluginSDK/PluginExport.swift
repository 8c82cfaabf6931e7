import PluginABI
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds the C descriptor for a Swift `Plugin` and bridges the ABI's calls to its executors.
public enum PluginExport {
    public static let sdkVersion = "1.0.0"

    private struct Exported: @unchecked Sendable {
        // Written once under the lock, then only read; the descriptor is immutable and static.
        let plugin: any Plugin.Type
        let descriptor: UnsafeRawPointer
    }

    private static let exported = Mutex<Exported?>(nil)

    /// The static descriptor for `plugin`, built on the first call. A library exports one plugin:
    /// later calls return the first plugin's descriptor.
    public static func descriptor(for plugin: any Plugin.Type) -> UnsafeRawPointer {
        exported.withLock { exported in
            if let exported { return exported.descriptor }
            let built = Exported(plugin: plugin, descriptor: UnsafeRawPointer(makeDescriptor(plugin)))
            exported = built
            return built.descriptor
        }
    }

    static var exportedPlugin: (any Plugin.Type)? {
        exported.withLock { $0?.plugin }
    }

    private static func makeDescriptor(_ plugin: any Plugin.Type) -> UnsafePointer<mimir_plugin_descriptor> {
        let executors = plugin.executors
        let table = UnsafeMutablePointer<UnsafePointer<mimir_executor_descriptor>?>.allocate(
            capacity: max(executors.count, 1))
        for (index, executor) in executors.enumerated() {
            let descriptor = UnsafeMutablePointer<mimir_executor_descriptor>.allocate(capacity: 1)
            let options = executor.options
            descriptor.initialize(
                to: mimir_executor_descriptor(
                    struct_size: UInt32(MemoryLayout<mimir_executor_descriptor>.size),
                    job_type: staticString(executor.jobType),
                    version: staticString(executor.version),
                    description: executor.summary.isEmpty ? nil : staticString(executor.summary),
                    parameters_schema: staticString(executor.parametersSchema.jsonText()),
                    flags: (options.concurrent ? UInt32(MIMIR_EXECUTOR_CONCURRENT) : 0)
                        | (options.needsGPU ? UInt32(MIMIR_EXECUTOR_NEEDS_GPU) : 0),
                    memory_hint_bytes: options.memoryHintBytes,
                    execute: executeTrampoline))
            table[index] = UnsafePointer(descriptor)
        }
        let descriptor = UnsafeMutablePointer<mimir_plugin_descriptor>.allocate(capacity: 1)
        descriptor.initialize(
            to: mimir_plugin_descriptor(
                magic: MIMIR_PLUGIN_MAGIC,
                abi_major: UInt16(MIMIR_ABI_VERSION_MAJOR),
                abi_minor: UInt16(MIMIR_ABI_VERSION_MINOR),
                struct_size: UInt32(MemoryLayout<mimir_plugin_descriptor>.size),
                name: staticString(plugin.name),
                version: staticString(plugin.version),
                build_info: staticString("MimirPluginSDK \(sdkVersion), \(compilerDescription)"),
                executor_count: UInt32(executors.count),
                executors: UnsafePointer(table),
                init: initTrampoline,
                shutdown: shutdownTrampoline))
        return UnsafePointer(descriptor)
    }

    /// A string that lives as long as the process, as the ABI requires of descriptor strings.
    private static func staticString(_ string: String) -> UnsafePointer<CChar> {
        let bytes = Array(string.utf8CString)
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        copy.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(copy)
    }

    private static var compilerDescription: String {
        #if compiler(>=6.3)
            "Swift 6.3 or newer"
        #elseif compiler(>=6.1)
            "Swift 6.1"
        #else
            "Swift 6"
        #endif
    }
}

/// The state behind a plugin instance: one executor object per job type.
final class PluginInstanceState {
    let executors: [String: any Executor]

    init(executors: [String: any Executor]) {
        self.executors = executors
    }
}

private let initTrampoline: mimir_init_fn = { host, context, args, instanceOut in
    guard let host, let args, let instanceOut else { return MIMIR_ERROR_PERMANENT }
    func refuse(_ message: String) -> mimir_status {
        message.withCString { host.pointee.set_error(context, $0) }
        return MIMIR_ERROR_PERMANENT
    }
    guard let plugin = PluginExport.exportedPlugin else { return refuse("plugin descriptor was never built") }
    let input = args.pointee
    let settingsText = input.config_json.map { String(cString: $0) } ?? "{}"
    let settings: JSONValue
    do {
        settings = try JSONValue.parse(settingsText)
    } catch {
        return refuse("plugin configuration is not valid JSON: \(error)")
    }
    let configuration = PluginConfiguration(
        hostName: input.host_name.map { String(cString: $0) } ?? "",
        hostVersion: input.host_version.map { String(cString: $0) } ?? "",
        dataDirectory: input.data_dir.map { String(cString: $0) } ?? "",
        settings: settings, workerSlots: Int(input.worker_slots))
    var executors: [String: any Executor] = [:]
    for type in plugin.executors {
        do {
            executors[type.jobType] = try type.init(configuration: configuration)
        } catch {
            return refuse("executor \(type.jobType): \(error)")
        }
    }
    let state = PluginInstanceState(executors: executors)
    instanceOut.pointee = Unmanaged.passRetained(state).toOpaque()
    return MIMIR_OK
}

private let shutdownTrampoline: mimir_shutdown_fn = { instance in
    guard let instance else { return }
    Unmanaged<PluginInstanceState>.fromOpaque(instance).release()
}

private let executeTrampoline: mimir_execute_fn = { instance, host, context, input in
    guard let instance, let host, let input else { return MIMIR_ERROR_PERMANENT }
    let state = Unmanaged<PluginInstanceState>.fromOpaque(instance).takeUnretainedValue()
    func fail(_ status: mimir_status, _ message: String) -> mimir_status {
        message.withCString { host.pointee.set_error(context, $0) }
        return status
    }
    let job = input.pointee
    let jobType = job.job_type.map { String(cString: $0) } ?? ""
    guard let executor = state.executors[jobType] else {
        return fail(MIMIR_ERROR_PERMANENT, "this plugin has no executor for job type \(jobType)")
    }
    let parameters: JSONValue
    let document: JSONValue
    do {
        parameters = try JSONValue.parse(job.parameters_json.map { String(cString: $0) } ?? "{}")
        document = try JSONValue.parse(job.job_json.map { String(cString: $0) } ?? "{}")
    } catch {
        return fail(MIMIR_ERROR_INVALID_INPUT, "job input is not valid JSON: \(error)")
    }
    let swiftJob = Job(
        id: job.job_id.map { String(cString: $0) } ?? "", type: jobType,
        projectID: job.project_id.map { String(cString: $0) } ?? "", parameters: parameters, document: document,
        attempt: Int(job.attempt))
    let jobContext = JobContext(host: host, handle: context)
    do {
        let result = try executor.execute(swiftJob, context: jobContext)
        let status = result.jsonText().withCString { host.pointee.set_result(context, $0) }
        return status == MIMIR_OK ? MIMIR_OK : fail(MIMIR_ERROR_PERMANENT, "result could not be encoded as JSON")
    } catch let error as ExecutorError {
        switch error {
        case .retryable(let message): return fail(MIMIR_ERROR_RETRYABLE, message)
        case .permanent(let message): return fail(MIMIR_ERROR_PERMANENT, message)
        case .invalidInput(let message): return fail(MIMIR_ERROR_INVALID_INPUT, message)
        case .cancelled: return fail(MIMIR_CANCELLED, "cancelled")
        }
    } catch {
        return fail(MIMIR_ERROR_PERMANENT, "\(error)")
    }
}
