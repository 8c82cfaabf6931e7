import ArgumentParser
import MimirCore

/// `mimirctl audit`: who submitted, cancelled or retried which job (an admin token is needed).
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the audit log, newest first (admin).")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Entries to show (1–1000).") var limit = 50

    func run() throws {
        let answer = try connection.client.get("/api/audit?limit=\(limit)")
        if connection.json { return say(answer.jsonText(pretty: true)) }
        var rows = [["TIME", "CALLER", "ROLE", "ACTION", "JOB", "TYPE"]]
        for entry in answer["entries"]?.arrayValue ?? [] {
            rows.append(["time", "caller", "role", "action", "job", "type"].map { entry[$0]?.stringValue ?? "" })
        }
        say(TextTable.render(rows))
    }
}
