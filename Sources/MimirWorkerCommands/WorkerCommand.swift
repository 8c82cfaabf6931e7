import ArgumentParser
import MimirCore

/// `mimir-worker`: hosts executor plugins and runs their jobs.
public struct WorkerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mimir-worker",
        abstract: "Mimir AIP worker host: loads executor plugins and runs their jobs.",
        version: MimirVersion.current,
        subcommands: [PluginsCommand.self, InspectCommand.self, RunCommand.self])

    public init() {}
}

/// Options every subcommand that loads plugins shares.
struct PluginOptions: ParsableArguments {
    @Option(name: .long, help: "Directory of plugin libraries (*.so). Default: $MIMIR_PLUGIN_DIR.")
    var pluginDir: String?

    @Option(name: .long, help: "Project storage root passed to plugins. Default: $MIMIR_DATA_DIR, else ./data.")
    var dataDir: String?

    @Option(
        name: .long,
        help: "JSON file of per-plugin settings, {\"PluginName\": {...}}. Default: $MIMIR_PLUGIN_CONFIG (JSON text).")
    var pluginConfig: String?

    @Option(
        name: .long, help: "Log level: trace, debug, info, warning, error. Default: $MIMIR_LOG_LEVEL, else warning.")
    var logLevel: String?

    func resolvedPluginDirectory() throws -> String {
        if let pluginDir { return pluginDir }
        if let fromEnvironment = Environment.value("MIMIR_PLUGIN_DIR"), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        throw ValidationError("no plugin directory: pass --plugin-dir DIR or set MIMIR_PLUGIN_DIR")
    }
}
