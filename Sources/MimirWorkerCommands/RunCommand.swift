import ArgumentParser
import Dispatch
import MimirCore
import MimirPluginHost

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `mimir-worker run`: one job through the registry, with no queue or orchestrator.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one job locally through the plugin registry and print its outcome as JSON.",
        discussion: """
            The job file is a job document as submitted to the orchestrator ({"type": ..., "task_spec": \
            {"parameters": {...}}, ...}); its "type" may be left out when --type is given. Progress and logs go \
            to standard error, the outcome JSON to standard output. Ctrl-C cancels the job. Exit status: 0 when \
            the job succeeded, 1 when it failed, was cancelled or timed out.
            """)

    @Option(name: .long, help: "Job type to run (must match the job file's \"type\" if it has one).")
    var type: String?

    @Option(name: .long, help: "Job document (JSON file, or - for standard input).")
    var job: String

    @Option(name: .long, help: "Job id shown to the executor. Default: a random local id.")
    var jobID: String?

    @Option(name: .long, help: "Seconds before the job is ended as timed out (overrides task_spec.timeout_seconds).")
    var timeout: Double?

    @OptionGroup var directory: PluginDirectoryOption
    @OptionGroup var options: HostOptions

    func run() throws {
        let logger = try HostSetup.logger(level: options.logLevel, default: "warning")
        let spec = try loadJob()
        let registry = try HostSetup.registry(directory, options, logger: logger)
        defer { registry.shutdown() }
        guard let executor = registry.executor(for: spec.type) else {
            let known = registry.jobTypes.isEmpty ? "none" : registry.jobTypes.joined(separator: ", ")
            throw WorkerFailure(
                description: "no executor for job type \"\(spec.type)\" in the plugin directory (available: \(known))")
        }
        var request = ExecutionRequest(jobID: jobID ?? Self.localJobID(), spec: spec)
        if let timeout {
            guard timeout > 0 else { throw ValidationError("--timeout must be greater than 0, got \(timeout)") }
            request.timeout = .milliseconds(Int64((timeout * 1000).rounded()))
        }

        let cancellation = CancellationToken()
        let interrupt = Self.cancelOnInterrupt(cancellation)
        defer { interrupt.cancel() }
        let display = ProgressDisplay(interactive: Terminal.standardErrorIsTerminal)
        Terminal.writeError("running \(spec.type) job \(request.jobID) on \(executor.displayName)\n")
        let outcome = executor.run(request, observer: display, cancellation: cancellation)
        display.finish()

        Terminal.writeOutput(
            Self.document(outcome, jobID: request.jobID, type: spec.type).jsonText(pretty: true) + "\n")
        if !outcome.status.isSuccess { throw ExitCode(1) }
    }

    private func loadJob() throws -> JobSpec {
        let data: Data
        if job == "-" {
            var bytes: [UInt8] = []
            while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
            data = Data(bytes)
        } else {
            guard let contents = FileManager.default.contents(atPath: job) else {
                throw WorkerFailure(description: "cannot read job file \(job)")
            }
            data = contents
        }
        var document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw WorkerFailure(description: "\(job): not valid JSON: \(error)")
        }
        guard case .object(var fields) = document else {
            throw WorkerFailure(description: "\(job): a job document must be a JSON object, got \(document.typeName)")
        }
        switch (fields["type"]?.stringValue, type) {
        case (nil, nil):
            throw WorkerFailure(description: "\(job): no job type: give \"type\" in the file or --type")
        case (let inFile?, let requested?) where inFile != requested:
            throw WorkerFailure(description: "\(job): job type \"\(inFile)\" does not match --type \(requested)")
        case (nil, let requested?):
            fields["type"] = .string(requested)
        default:
            break
        }
        document = .object(fields)
        do {
            return try JSONDecoder().decode(JobSpec.self, from: Data(document.jsonText().utf8))
        } catch let error as DecodingError {
            throw WorkerFailure(description: "\(job): \(error.fieldDescription)")
        }
    }

    private static func document(_ outcome: ExecutionOutcome, jobID: String, type: String) -> JSONValue {
        var fields: [String: JSONValue] = [
            "job_id": .string(jobID),
            "type": .string(type),
            "status": .string(outcome.status.rawValue),
            "result": outcome.result ?? .null,
            "artifacts": .array(
                outcome.artifacts.map {
                    ["uri": .string($0.uri), "media_type": $0.mediaType.map(JSONValue.string) ?? .null]
                }),
            "duration_seconds": .number(
                Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18),
        ]
        if let message = outcome.message { fields["message"] = .string(message) }
        if outcome.droppedLogLines > 0 { fields["dropped_log_lines"] = .integer(Int64(outcome.droppedLogLines)) }
        return .object(fields)
    }

    private static func localJobID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "local-" + String(generator.next() & 0xFFFF_FFFF, radix: 16)
    }

    /// Ctrl-C cancels the job (the executor sees is_cancelled) instead of killing the process.
    private static func cancelOnInterrupt(_ token: CancellationToken) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            Terminal.writeError("\ninterrupt: cancelling the job (press Ctrl-C again to force)\n")
            token.cancel()
            signal(SIGINT, SIG_DFL)
        }
        source.resume()
        return source
    }
}
