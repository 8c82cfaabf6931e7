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

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job (a running one stops at its worker).")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        let job = try connection.client.post("/api/jobs/\(id)/cancel")
        say(
            connection.json
                ? job.jsonText(pretty: true)
                : "\(id): \(job["status"]?.stringValue ?? "")"
                    + (job["cancel_requested"] == true && job["status"] == "running" ? " (cancel requested)" : ""))
    }
}
