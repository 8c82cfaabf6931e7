import ArgumentParser
import MimirCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `mimirctl`: the orchestrator's REST API from a terminal.
public struct ControlCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mimirctl", abstract: "Submit, follow and manage Mimir AIP jobs.", version: MimirVersion.current,
        subcommands: [
            Submit.self, List.self, Get.self, Logs.self, Cancel.self, Retry.self, Watch.self, Workers.self, Twin.self,
            Scaling.self,
            Capabilities.self, Audit.self,
        ])

    public init() {}
}

/// Writes a line to standard output, unbuffered, so output and errors (on stderr) keep their order in a pipe.
func say(_ text: String) {
    Terminal.writeOutput(text + "\n")
}
