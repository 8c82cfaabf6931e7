import MimirPluginSDK

public enum MLInferencePlugin: Plugin {
    public static let name = "MLInference"
    public static let version = "1.0.0"
    public static let executors: [any Executor.Type] = [InferenceExecutor.self]
}

@_cdecl("mimir_plugin_entry")
public func mimirPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MLInferencePlugin.self) }
