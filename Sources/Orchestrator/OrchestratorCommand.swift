import ArgumentParser

/// Placeholder until the orchestrator issue lands: says so plainly instead of pretending.
@main
struct OrchestratorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mimir-orchestrator",
        abstract: "Mimir AIP orchestrator (REST API and job queue) — not built yet in this version.")

    func run() throws {
        throw ValidationError(
            "mimir-orchestrator is not implemented in this version; use `mimir-worker run` to run jobs locally")
    }
}
