import ArgumentParser
import MimirCore

/// `mimirctl scaling`: the scaler's view per image and its latest decisions.
struct Scaling: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the scaler: workers per image and its decisions.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Decisions to show.") var decisions = 10

    func run() throws {
        let state = try connection.client.get("/api/scaling")
        if connection.json { return say(state.jsonText(pretty: true)) }
        let settings = state["settings"]
        say(
            "backend \(state["backend"]?.stringValue ?? "?"), MIN_WORKERS \(settings?["min_workers"]?.jsonText() ?? "?"), "
                + "MAX_WORKERS \(settings?["max_workers"]?.jsonText() ?? "?"), "
                + "QUEUE_THRESHOLD \(settings?["queue_threshold"]?.jsonText() ?? "?")")
        var rows = [["IMAGE", "DESIRED", "BUSY", "IDLE", "STARTING", "PENDING", "MAX", "REASON"]]
        for image in state["images"]?.arrayValue ?? [] {
            rows.append(
                ["image", "desired", "busy", "idle", "starting", "pending", "max_workers", "reason"].map { key in
                    image[key]?.stringValue ?? image[key]?.jsonText() ?? ""
                })
        }
        say(TextTable.render(rows))
        for unserved in state["unserved"]?.arrayValue ?? [] {
            say(
                "no image can serve \(unserved["count"]?.jsonText() ?? "?") queued \(unserved["type"]?.stringValue ?? "?") job(s)"
            )
        }
        let recent = (state["decisions"]?.arrayValue ?? []).prefix(decisions)
        if !recent.isEmpty {
            say("")
            for decision in recent {
                say(
                    "\(decision["at"]?.stringValue ?? "")  \(decision["image"]?.stringValue ?? "")  "
                        + "\(decision["kind"]?.stringValue ?? "")  \(decision["message"]?.stringValue ?? "")")
            }
        }
    }
}
