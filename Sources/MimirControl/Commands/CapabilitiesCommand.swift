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

struct Capabilities: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What can run where.")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let listing = try connection.client.get("/api/capabilities")
        if connection.json { return say(listing.jsonText(pretty: true)) }
        var rows = [["JOB TYPE", "AVAILABLE", "EXECUTOR", "PLUGIN", "IMAGES", "WORKERS"]]
        let types = listing["job_types"]?.objectValue ?? [:]
        for type in types.keys.sorted() {
            let entry = types[type] ?? .null
            let executors = entry["executors"]?.arrayValue ?? []
            if executors.isEmpty { rows.append([type, "no", "-", "-", "-", "0"]) }
            for executor in executors {
                let workers = executor["workers"]?.arrayValue?.count ?? 0
                let plugin = [executor["plugin"]?.stringValue, executor["plugin_version"]?.stringValue]
                    .compactMap { $0 }.joined(separator: " ")
                rows.append([
                    type, workers > 0 ? "yes" : "no", executor["executor_version"]?.stringValue ?? "",
                    plugin.isEmpty ? "-" : plugin,
                    (executor["images"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","),
                    "\(workers)",
                ])
            }
        }
        var text = TextTable.render(rows)
        let images = listing["images"]?.arrayValue ?? []
        if !images.isEmpty {
            var imageRows = [["IMAGE", "SOURCE", "DECLARED", "LIVE WORKERS", "MISMATCHES"]]
            var notes: [String] = []
            for image in images {
                let name = image["image"]?.stringValue ?? ""
                let mismatches = (image["mismatches"]?.arrayValue ?? []).compactMap(\.stringValue)
                imageRows.append([
                    name, image["source"]?.stringValue ?? "", image["declared"] == true ? "yes" : "no",
                    "\(image["live_workers"]?.arrayValue?.count ?? 0)", "\(mismatches.count)",
                ])
                notes += mismatches.map { "mismatch: \(name) \($0)" }
            }
            text += "\n\n" + TextTable.render(imageRows)
            if !notes.isEmpty { text += "\n" + notes.joined(separator: "\n") }
        }
        say(text)
    }
}
