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

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a job until it ends; exit 0 if it succeeded, 1 otherwise.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        let final = ["succeeded", "failed", "cancelled", "dead"]
        let terminal = isatty(1) != 0 && !connection.json
        var last = ""
        while true {
            let job = try connection.client.get("/api/jobs/\(id)")
            let status = job["status"]?.stringValue ?? ""
            let percent = Int((job["progress"]?.doubleValue ?? 0) * 100)
            let filled = percent * 30 / 100
            let line =
                "\(status) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
                + "] \(percent)% " + (job["progress_message"]?.stringValue ?? job["waiting_reason"]?.stringValue ?? "")
            if terminal {
                Terminal.writeOutput("\r\u{1B}[2K" + line)
            } else if line != last, !connection.json {
                say(line)
            }
            last = line
            if final.contains(status) {
                if terminal { Terminal.writeOutput("\n") }
                if connection.json { say(job.jsonText(pretty: true)) }
                if status != "succeeded" {
                    throw APIClient.Failure(description: "job \(id) \(status): \(job["error"]?.stringValue ?? "")")
                }
                return
            }
            usleep(200_000)
        }
    }
}
