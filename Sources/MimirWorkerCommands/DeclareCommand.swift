import ArgumentParser
import MimirCore
import MimirWorker

/// `mimir-worker declare`: the image declaration the orchestrator's image catalog takes
/// (`WORKER_IMAGES`), from the plugins actually in the image, so the declaration cannot drift
/// from what its workers will report.
struct DeclareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "declare",
        abstract: "Print this image's declaration for the orchestrator's WORKER_IMAGES file.",
        discussion: """
            Run it inside the image at build time. Collect the declarations of every image into
            {"images": [...]} for the orchestrator's WORKER_IMAGES file.
            """)

    @OptionGroup var directory: PluginDirectoryOption
    @OptionGroup var options: HostOptions

    @Option(help: "The image name workers of this image report. Default: $MIMIR_WORKER_IMAGE.") var image: String?
    @Option(help: "Jobs each worker of the image runs at once.") var slots: Int?
    @Option(help: "GPUs each worker of the image gets (declared only when given).") var gpus: Int?
    @Option(help: "CPU each worker gets, a Kubernetes quantity (declared only when given).") var cpu: String?
    @Option(help: "Memory each worker gets, a Kubernetes quantity (declared only when given).") var memory: String?

    func run() throws {
        guard let name = image ?? Environment.value("MIMIR_WORKER_IMAGE").flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("no image name: pass --image NAME or set MIMIR_WORKER_IMAGE")
        }
        let logger = try HostSetup.logger(level: options.logLevel, default: "critical")
        let registry = try HostSetup.registry(directory, options, logger: logger)
        defer { registry.shutdown() }
        guard !registry.jobTypes.isEmpty else {
            throw ValidationError("no executors loaded from the plugin directory: nothing to declare")
        }
        var declaration: [String: JSONValue] = [
            "image": .string(name),
            "capabilities": .array(OrchestratorRegistration.capabilityReport(registry)),
        ]
        if let slots {
            guard (1...1024).contains(slots) else { throw ValidationError("--slots must be 1–1024, got \(slots)") }
            declaration["slots"] = .integer(Int64(slots))
        }
        var resources: [String: JSONValue] = [:]
        if let gpus {
            guard gpus >= 0 else { throw ValidationError("--gpus must be ≥ 0, got \(gpus)") }
            resources["gpu"] = .integer(Int64(gpus))
        }
        for (flag, value) in [("cpu", cpu), ("memory", memory)] {
            guard let value else { continue }
            guard KubernetesQuantity(value) != nil else {
                throw ValidationError("--\(flag): \"\(value)\" is not a Kubernetes quantity (2, 500m, 8Gi)")
            }
            resources[flag] = .string(value)
        }
        if !resources.isEmpty { declaration["resources"] = .object(resources) }
        Terminal.writeOutput(JSONValue.object(declaration).jsonText(pretty: true) + "\n")
    }
}
