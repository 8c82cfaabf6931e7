import MimirPluginSDK

public enum PipelineExecutionPlugin: Plugin {
    public static let name = "PipelineExecution"
    public static let version = "1.0.0"
    public static let executors: [any Executor.Type] = [PipelineExecutor.self]
}

@_cdecl("mimir_plugin_entry")
public func mimirPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: PipelineExecutionPlugin.self) }
