import MimirPluginSDK

/// An executor that does nothing, for measuring the platform's own overhead.
public enum NoopPlugin: Plugin {
    public static let name = "MimirNoop"
    public static let version = "1.0.0"
    public static let executors: [any Executor.Type] = [NoopExecutor.self]
}

struct NoopExecutor: Executor {
    static let jobType = "noop"
    static let version = "1.0.0"
    static let summary = "Does nothing and succeeds; for benchmarks"
    static let options = ExecutorOptions(concurrent: true)
    static let parametersSchema: JSONValue = ["type": "object"]

    init(configuration: PluginConfiguration) {}

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        [:]
    }
}

@_cdecl("mimir_plugin_entry")
public func mimirPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: NoopPlugin.self) }
