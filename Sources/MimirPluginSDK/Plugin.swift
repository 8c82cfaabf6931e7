/// A plugin: a name, a version, and its executors. Export it from the library with one line:
///
///     @_cdecl("mimir_plugin_entry")
///     public func mimirPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: MyPlugin.self) }
///
/// One plugin per library: the entry symbol is unique.
public protocol Plugin {
    /// 1 to 64 of [A-Za-z0-9_.-].
    static var name: String { get }
    /// Semantic version of the plugin.
    static var version: String { get }
    static var executors: [any Executor.Type] { get }
}

/// What a plugin instance is given when the host starts it.
public struct PluginConfiguration: Sendable {
    public var hostName: String
    public var hostVersion: String
    /// Root of the project storage (MIMIR_DATA_DIR).
    public var dataDirectory: String
    /// This plugin's configuration object from the worker's settings (`{}` when none).
    public var settings: JSONValue
    public var workerSlots: Int

    public init(hostName: String, hostVersion: String, dataDirectory: String, settings: JSONValue, workerSlots: Int) {
        self.hostName = hostName
        self.hostVersion = hostVersion
        self.dataDirectory = dataDirectory
        self.settings = settings
        self.workerSlots = workerSlots
    }
}

/// One job as the executor sees it.
public struct Job: Sendable {
    public var id: String
    public var type: String
    public var projectID: String
    /// `task_spec.parameters`, already valid against the executor's schema.
    public var parameters: JSONValue
    /// The whole job document (task_spec, resource_requirements, data_access, ...).
    public var document: JSONValue
    public var attempt: Int
}
