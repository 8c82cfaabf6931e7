import MimirPluginSDK

#if canImport(Glibc)
    import Glibc
#endif

/// An executor that does nothing, for measuring the platform's own overhead.
public enum NoopPlugin: Plugin {
    public static let name = "MimirNoop"
    public static let version = "1.0.0"
    public static let executors: [any Executor.Type] = [NoopExecutor.self]
}

struct NoopExecutor: Executor {
    static let jobType = "noop"
    static let version = "1.0.0"
    static let summary = "Does nothing and succeeds (after `sleep_ms`, if given); for benchmarks"
    static let options = ExecutorOptions(concurrent: true)
    static let parametersSchema: JSONValue = ["type": "object"]

    init(configuration: PluginConfiguration) {}

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        // A job that stays running, for the dead-worker recovery benchmark; it stops when cancelled.
        if let milliseconds = job.parameters["sleep_ms"]?.int64Value, milliseconds > 0 {
            var left = milliseconds
            while left > 0 {
                try context.checkCancellation()
                usleep(UInt32(min(left, 20)) * 1000)
                left -= 20
            }
        }
        return [:]
    }
}

@_cdecl("mimir_plugin_entry")
public func mimirPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: NoopPlugin.self) }
