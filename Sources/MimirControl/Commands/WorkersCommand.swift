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

struct Workers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the registered workers.")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let list = try connection.client.get("/api/workers")
        if connection.json { return say(list.jsonText(pretty: true)) }
        var rows = [["ID", "IMAGE", "STATUS", "SLOTS", "RUNNING", "HEARTBEAT", "JOB TYPES"]]
        for worker in list["workers"]?.arrayValue ?? [] {
            rows.append([
                worker["id"]?.stringValue ?? "", worker["image"]?.stringValue ?? "",
                worker["status"]?.stringValue ?? "",
                worker["slots"]?.jsonText() ?? "", "\(worker["running_jobs"]?.arrayValue?.count ?? 0)",
                "\(Int(worker["heartbeat_age_seconds"]?.doubleValue ?? 0))s ago",
                (worker["capabilities"]?.arrayValue ?? []).compactMap { $0["job_type"]?.stringValue }.joined(
                    separator: ","),
            ])
        }
        say(TextTable.render(rows))
    }
}
