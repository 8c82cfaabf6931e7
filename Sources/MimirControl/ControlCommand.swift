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

/// `mimirctl`: the orchestrator's REST API from a terminal.
public struct ControlCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mimirctl", abstract: "Submit, follow and manage Mimir AIP jobs.", version: MimirVersion.current,
        subcommands: [
            Submit.self, List.self, Get.self, Logs.self, Cancel.self, Retry.self, Watch.self, Workers.self,
            Capabilities.self,
        ])

    public init() {}
}

/// Writes a line to standard output.
/// Written unbuffered, so output and errors (on stderr) keep their order in a pipe.
func say(_ text: String) {
    Terminal.writeOutput(text + "\n")
}

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a job from a JSON file (--file) or from flags; prints its id.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Job document (JSON file, or - for standard input).") var file: String?
    @Option(help: "Job type.") var type: String?
    @Option(name: .customLong("param"), help: "A parameter, key=value (value parsed as JSON when it can be).")
    var parameters: [String] = []
    @Option(help: "Priority 0–9.") var priority: Int?
    @Option(help: "Project id.") var project: String?
    @Option(help: "Idempotency-Key: repeating the same submission returns the same job.") var idempotencyKey: String?

    func run() throws {
        var document: JSONValue = [:]
        if let file {
            let data: Data?
            if file == "-" {
                var bytes: [UInt8] = []
                while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
                data = Data(bytes)
            } else {
                data = FileManager.default.contents(atPath: file)
            }
            guard let data else { throw APIClient.Failure(description: "cannot read \(file)") }
            do {
                document = try JSONValue.parse(data)
            } catch {
                throw APIClient.Failure(description: "\(file): not valid JSON: \(error)")
            }
        }
        guard case .object(var fields) = document else {
            throw APIClient.Failure(description: "a job document must be a JSON object")
        }
        if let type { fields["type"] = .string(type) }
        if let priority { fields["priority"] = .integer(Int64(priority)) }
        if let project { fields["project_id"] = .string(project) }
        if !parameters.isEmpty {
            var taskSpec = fields["task_spec"]?.objectValue ?? [:]
            var values = taskSpec["parameters"]?.objectValue ?? [:]
            for parameter in parameters {
                guard let equals = parameter.firstIndex(of: "=") else {
                    throw ValidationError("--param \(parameter): expected key=value")
                }
                let value = String(parameter[parameter.index(after: equals)...])
                values[String(parameter[..<equals])] = (try? JSONValue.parse(value)) ?? .string(value)
            }
            taskSpec["parameters"] = .object(values)
            fields["task_spec"] = .object(taskSpec)
        }
        guard fields["type"] != nil else { throw ValidationError("give --type or a file with \"type\"") }
        let headers = idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
        let job = try connection.client.post("/api/jobs", .object(fields), headers: headers)
        say(connection.json ? job.jsonText(pretty: true) : job["id"]?.stringValue ?? "")
    }
}

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

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one job as JSON.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        say(try connection.client.get("/api/jobs/\(id)").jsonText(pretty: true))
    }
}

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

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job (a running one stops at its worker).")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        let job = try connection.client.post("/api/jobs/\(id)/cancel")
        say(
            connection.json
                ? job.jsonText(pretty: true)
                : "\(id): \(job["status"]?.stringValue ?? "")"
                    + (job["cancel_requested"] == true && job["status"] == "running" ? " (cancel requested)" : ""))
    }
}

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Retry a failed or dead job.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var id: String

    func run() throws {
        let job = try connection.client.post("/api/jobs/\(id)/retry")
        say(connection.json ? job.jsonText(pretty: true) : "\(id): \(job["status"]?.stringValue ?? "")")
    }
}

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
