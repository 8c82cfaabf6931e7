import ArgumentParser
import MimirCore
import MimirPluginHost

/// `mimir-worker plugins`: what loaded, what was refused and why, and job-type conflicts.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the plugins in the plugin directory and their executors.")

    @OptionGroup var directory: PluginDirectoryOption
    @OptionGroup var options: HostOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: .long, help: "Exit with status 1 if any plugin was refused or two plugins claim one job type.")
    var strict = false

    func run() throws {
        let logger = try HostSetup.logger(level: options.logLevel, default: "critical")
        let registry = try HostSetup.registry(directory, options, logger: logger)
        defer { registry.shutdown() }
        Terminal.writeOutput(json ? RegistryReport(registry).jsonText(pretty: true) + "\n" : table(registry))
        if strict, !registry.refusals.isEmpty || !registry.conflicts.isEmpty { throw ExitCode(1) }
    }

    private func table(_ registry: ExecutorRegistry) -> String {
        var rows: [[String]] = [["PLUGIN", "VERSION", "ABI", "JOB TYPE", "EXECUTOR", "FLAGS", "FILE"]]
        for plugin in registry.plugins {
            for executor in plugin.manifest.executors {
                let flags = [executor.concurrent ? "concurrent" : "serial", executor.needsGPU ? "gpu" : nil]
                    .compactMap { $0 }.joined(separator: ",")
                let served = registry.executor(for: executor.jobType)?.path == plugin.path
                rows.append([
                    plugin.manifest.name, "\(plugin.manifest.version)", "\(plugin.manifest.abiVersion)",
                    executor.jobType + (served ? "" : " (shadowed)"), "\(executor.version)", flags, plugin.path,
                ])
            }
        }
        var text = TextTable.render(rows) + "\n"
        if registry.plugins.isEmpty { text += "(no plugins loaded)\n" }
        for refusal in registry.refusals { text += "refused: \(refusal.path): \(refusal.reason)\n" }
        for conflict in registry.conflicts { text += "\(conflict.description)\n" }
        return text
    }
}

/// The JSON form of a registry, shared by `plugins --json` and capability reports.
struct RegistryReport {
    let registry: ExecutorRegistry

    init(_ registry: ExecutorRegistry) {
        self.registry = registry
    }

    func jsonText(pretty: Bool) -> String {
        let plugins: [JSONValue] = registry.plugins.map { plugin in
            var entry = ManifestJSON.value(plugin.manifest)
            if case .object(var fields) = entry {
                fields["path"] = .string(plugin.path)
                entry = .object(fields)
            }
            return entry
        }
        let refused: [JSONValue] = registry.refusals.map {
            ["path": .string($0.path), "reason": .string($0.reason.description)]
        }
        let conflicts: [JSONValue] = registry.conflicts.map { conflict in
            [
                "job_type": .string(conflict.jobType),
                "chosen": .string(conflict.chosen.description),
                "shadowed": .array(conflict.shadowed.map { .string($0.description) }),
            ]
        }
        let report: JSONValue = [
            "plugins": .array(plugins), "refused": .array(refused), "conflicts": .array(conflicts),
        ]
        return report.jsonText(pretty: pretty)
    }
}
