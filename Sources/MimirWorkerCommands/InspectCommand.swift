import ArgumentParser
import MimirCore
import MimirPluginHost

/// `mimir-worker inspect FILE.so`: validates one plugin the way the host would load it.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Validate one plugin file (handshake, descriptor, init) and print its descriptor as JSON.",
        discussion: "Exits with status 1 and the reason on standard error when the host would refuse the file.")

    @Argument(help: "Path of the plugin library.")
    var file: String

    @OptionGroup var options: HostOptions

    func run() throws {
        // Refusals are printed below; the logger only shows what the plugin logs from init.
        let logger = try HostSetup.logger(level: options.logLevel, default: "critical")
        let registry = ExecutorRegistry.load(
            files: [file], configuration: try HostSetup.configuration(options), logger: logger)
        defer { registry.shutdown() }
        if let refusal = registry.refusals.first {
            Terminal.writeError("mimir-worker: \(refusal.description)\n")
            throw ExitCode(1)
        }
        guard let plugin = registry.plugins.first else { throw ExitCode(1) }
        var document = ManifestJSON.value(plugin.manifest)
        if case .object(var fields) = document {
            fields["path"] = .string(plugin.path)
            document = .object(fields)
        }
        Terminal.writeOutput(document.jsonText(pretty: true) + "\n")
    }
}
