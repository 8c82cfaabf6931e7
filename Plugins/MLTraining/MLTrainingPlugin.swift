import MimirPluginSDK

public enum MLTrainingPlugin: Plugin {
    public static let name = "MLTraining"
    public static let version = "1.0.0"
    public static let executors: [any Executor.Type] = [TrainingExecutor.self]
}

@_cdecl("mimir_plugin_entry")
public func mimirPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MLTrainingPlugin.self) }
