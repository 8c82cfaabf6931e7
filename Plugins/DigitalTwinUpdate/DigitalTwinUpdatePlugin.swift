import MimirPluginSDK

public enum DigitalTwinUpdatePlugin: Plugin {
    public static let name = "DigitalTwinUpdate"
    public static let version = "1.0.0"
    public static let executors: [any Executor.Type] = [TwinUpdateExecutor.self]
}

@_cdecl("mimir_plugin_entry")
public func mimirPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: DigitalTwinUpdatePlugin.self) }
