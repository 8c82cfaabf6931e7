import ArgumentParser
import MimirCore

/// `mimir-worker`: hosts executor plugins and runs their jobs.
public struct WorkerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mimir-worker",
        abstract: "Mimir AIP worker host: loads executor plugins and runs their jobs.",
        version: MimirVersion.current,
        subcommands: [
            PluginsCommand.self, InspectCommand.self, RunCommand.self, ServeCommand.self, DeclareCommand.self,
            ExecutorProcessCommand.self,
        ])

    public init() {}
}

/// Where the plugins are: every subcommand that loads a directory of them.
struct PluginDirectoryOption: ParsableArguments {
    @Option(name: .long, help: "Directory of plugin libraries (*.so). Default: $MIMIR_PLUGIN_DIR.")
    var pluginDir: String?

    func resolved() throws -> String {
        if let pluginDir { return pluginDir }
        if let fromEnvironment = Environment.value("MIMIR_PLUGIN_DIR"), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        throw ValidationError("no plugin directory: pass --plugin-dir DIR or set MIMIR_PLUGIN_DIR")
    }
}

/// How plugins are set up and how much the worker logs: every subcommand that starts plugins.
struct HostOptions: ParsableArguments {
    @Option(name: .long, help: "Project storage root passed to plugins. Default: $MIMIR_DATA_DIR, else ./data.")
    var dataDir: String?

    @Option(
        name: .long,
        help: "JSON file of per-plugin settings, {\"PluginName\": {...}}. Default: $MIMIR_PLUGIN_CONFIG (JSON text).")
    var pluginConfig: String?

    @Option(
        name: .long,
        help: """
            Log level: trace, debug, info, notice, warning, error, critical. Default: $MIMIR_LOG_LEVEL, else \
            warning for run and critical for plugins and inspect (which print refusals themselves).
            """)
    var logLevel: String?
}

/// A failure while doing what the command asked (not a usage error): printed as "Error: ..."
/// with exit status 1, without the usage text.
struct WorkerFailure: Error, CustomStringConvertible {
    let description: String
}
