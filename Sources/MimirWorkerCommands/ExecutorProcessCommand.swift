import ArgumentParser
import MimirWorker

/// `mimir-worker executor-process`: hidden; `serve` starts one per slot to run its jobs in, so a
/// plugin that crashes takes down only this process (docs/executor-isolation.md).
struct ExecutorProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executor-process",
        abstract: "Run jobs sent by a worker over pipes 3 and 4 (started by serve, not by hand).",
        shouldDisplay: false)

    @OptionGroup var directory: PluginDirectoryOption
    @OptionGroup var options: HostOptions

    func run() throws {
        guard ExecutorProcessServer.hasPipes else {
            throw WorkerFailure(
                description: "executor-process is started by `mimir-worker serve`, which passes pipes 3 and 4")
        }
        let logger = try HostSetup.logger(level: options.logLevel, default: "info")
        // One job at a time here: that is what the plugins are told.
        var host = try HostSetup.configuration(options)
        host.workerSlots = 1
        // The worker already logged every refusal and conflict when it loaded the same plugins.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .error)
        let registry = try HostSetup.registry(directory, options, configuration: host, logger: quiet)
        ExecutorProcessServer.serve(registry: registry, logger: logger)
    }
}
