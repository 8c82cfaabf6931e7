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

struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a job's log lines.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        let page = try connection.client.get("/api/jobs/\(id)/logs")
        if connection.json { return say(page.jsonText(pretty: true)) }
        for line in page["lines"]?.arrayValue ?? [] {
            say(
                "\(line["time"]?.stringValue ?? "") \(line["level"]?.stringValue ?? "") \(line["message"]?.stringValue ?? "")"
            )
        }
    }
}
