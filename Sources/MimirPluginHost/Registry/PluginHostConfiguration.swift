import MimirCore

/// How the host sets up plugins and runs their jobs.
public struct PluginHostConfiguration: Sendable {
    /// Project storage root (MIMIR_DATA_DIR), passed to every plugin's init.
    public var dataDirectory: String
    /// Jobs this worker may run at once; a sizing hint for plugins.
    public var workerSlots: UInt32
    /// Per-plugin configuration objects, by plugin name; `{}` for a plugin not named.
    public var pluginConfiguration: [String: JSONValue]
    /// Where per-job scratch directories are made (removed after each job).
    public var scratchRoot: String
    /// Log bytes forwarded per job before further lines are dropped (and counted).
    public var maxLogBytesPerJob: Int

    public init(
        dataDirectory: String = "", workerSlots: UInt32 = 1, pluginConfiguration: [String: JSONValue] = [:],
        scratchRoot: String = PluginHostConfiguration.defaultScratchRoot, maxLogBytesPerJob: Int = 1 << 20
    ) {
        self.dataDirectory = dataDirectory
        self.workerSlots = workerSlots
        self.pluginConfiguration = pluginConfiguration
        self.scratchRoot = scratchRoot
        self.maxLogBytesPerJob = maxLogBytesPerJob
    }

    public static var defaultScratchRoot: String {
        let temporary = Environment.value("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return temporary + "/mimir-scratch"
    }
}
