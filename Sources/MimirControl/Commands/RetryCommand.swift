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

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Retry a failed or dead job.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        let job = try connection.client.post("/api/jobs/\(id)/retry")
        say(connection.json ? job.jsonText(pretty: true) : "\(id): \(job["status"]?.stringValue ?? "")")
    }
}
