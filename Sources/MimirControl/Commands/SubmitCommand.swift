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
