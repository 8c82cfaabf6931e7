import ArgumentParser
import MimirCore

/// `mimirctl twin ID`: a digital twin's entities and values, its history, or one entity.
struct Twin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a digital twin: its entities and values (or --history, or --entity ID).")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String
    @Flag(help: "List its committed versions, newest first.") var history = false
    @Option(help: "Show one entity with its recent values.") var entity: String?
    @Option(help: "Versions (--history) or recent values (--entity) to show.") var limit = 20

    func run() throws {
        if history {
            let page = try connection.client.get("/api/twins/\(id)/history?limit=\(limit)")
            if connection.json { return say(page.jsonText(pretty: true)) }
            var rows = [["VERSION", "TIME", "JOB", "CHANGES", "ANOMALIES"]]
            for entry in page["entries"]?.arrayValue ?? [] {
                rows.append([
                    entry["version"]?.jsonText() ?? "", entry["committed_at"]?.stringValue ?? "",
                    entry["job_id"]?.stringValue ?? "-", "\(entry["changes"]?.arrayValue?.count ?? 0)",
                    "\(entry["anomalies"]?.arrayValue?.count ?? 0)",
                ])
            }
            return say(TextTable.render(rows))
        }
        if let entity {
            return say(
                try connection.client.get("/api/twins/\(id)/entities/\(entity)?recent=\(limit)").jsonText(pretty: true))
        }
        let state = try connection.client.get("/api/twins/\(id)")
        if connection.json { return say(state.jsonText(pretty: true)) }
        say(
            "twin \(id), version \(state["version"]?.jsonText() ?? "?"), updated \(state["updated_at"]?.stringValue ?? "")"
        )
        var rows = [["ENTITY", "TYPE", "ATTRIBUTE", "VALUE"]]
        let entities = state["entities"]?.objectValue ?? [:]
        for key in entities.keys.sorted() {
            let entity = entities[key] ?? .null
            let attributes = entity["attributes"]?.objectValue ?? [:]
            if attributes.isEmpty { rows.append([key, entity["type"]?.stringValue ?? "", "-", "-"]) }
            for name in attributes.keys.sorted() {
                rows.append([key, entity["type"]?.stringValue ?? "", name, attributes[name]?.jsonText() ?? ""])
            }
        }
        say(TextTable.render(rows))
    }
}
