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

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a job from a JSON file (--file) or from flags; prints its id.",
        discussion: """
            A file holding a JSON array submits its jobs as one batch (POST /api/job-batches: all \
            or none, up to 1,000) and prints their ids, one per line, in order; the flags apply to \
            every job of it.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Job document, or an array of them (JSON file, or - for standard input).") var file: String?
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
        let headers = idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
        if case .array(let jobs) = document {
            var batch: [JSONValue] = []
            for (index, job) in jobs.enumerated() {
                guard case .object(let fields) = job else {
                    throw APIClient.Failure(
                        description: "job \(index) of the file: a job document must be a JSON object")
                }
                batch.append(.object(try withFlags(fields)))
            }
            let answer = try connection.client.post("/api/job-batches", ["jobs": .array(batch)], headers: headers)
            say(
                connection.json
                    ? answer.jsonText(pretty: true)
                    : (answer["jobs"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }.joined(separator: "\n"))
            return
        }
        guard case .object(let fields) = document else {
            throw APIClient.Failure(description: "a job document must be a JSON object, or an array of them")
        }
        let job = try connection.client.post("/api/jobs", .object(try withFlags(fields)), headers: headers)
        say(connection.json ? job.jsonText(pretty: true) : job["id"]?.stringValue ?? "")
    }

    /// A job document with the flags' type, priority, project and parameters applied.
    private func withFlags(_ document: [String: JSONValue]) throws -> [String: JSONValue] {
        var fields = document
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
        return fields
    }
}
