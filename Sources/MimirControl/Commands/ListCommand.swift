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

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List jobs, newest first, with the queue's state.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Only this status.") var status: String?
    @Option(help: "Only this job type.") var type: String?
    @Option(help: "How many (1–500).") var limit = 20

    func run() throws {
        var query = "?limit=\(limit)"
        if let status { query += "&status=\(status)" }
        if let type { query += "&type=\(type)" }
        let page = try connection.client.get("/api/jobs" + query)
        if connection.json { return say(page.jsonText(pretty: true)) }
        var rows = [["ID", "TYPE", "STATUS", "PRI", "ATTEMPTS", "PROGRESS", "WORKER"]]
        for job in page["jobs"]?.arrayValue ?? [] {
            rows.append([
                job["id"]?.stringValue ?? "", job["type"]?.stringValue ?? "", job["status"]?.stringValue ?? "",
                job["priority"]?.jsonText() ?? "",
                "\(job["attempts"]?.jsonText() ?? "")/\(job["max_attempts"]?.jsonText() ?? "")",
                "\(Int((job["progress"]?.doubleValue ?? 0) * 100))%", job["worker_id"]?.stringValue ?? "-",
            ])
        }
        say(TextTable.render(rows))
        let counts = page["queue"]?["counts"]?.objectValue ?? [:]
        say(counts.keys.sorted().map { "\($0) \(counts[$0]?.jsonText() ?? "0")" }.joined(separator: "  "))
    }
}
