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

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one job as JSON.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        say(try connection.client.get("/api/jobs/\(id)").jsonText(pretty: true))
    }
}
