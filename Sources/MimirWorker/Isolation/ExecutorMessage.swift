import MimirCore
import MimirPluginHost

/// What a worker and one of its executor processes say to each other, one message per frame:
///
///     worker → child:  run (one job) on the request pipe, cancel on the cancel pipe
///     child → worker:  ready (plugins loaded), log, progress, outcome (the job's end)
///
/// A child runs one job at a time; closing its request pipe tells it to exit. A cancel names the
/// job and attempt it is for, since it travels apart from the runs: one sent as a job ended must
/// not stop the next.
enum ExecutorMessage: Sendable {
    case ready(pid: Int32, jobTypes: [String])
    case run(jobType: String, request: ExecutionRequest)
    case cancel(jobID: String, attempt: UInt32)
    case log(ExecutorLogLevel, String)
    case progress(Double, String?)
    case outcome(ExecutionOutcome)

    var json: JSONValue {
        switch self {
        case .ready(let pid, let jobTypes):
            ["ready": ["pid": .integer(Int64(pid)), "job_types": .array(jobTypes.map(JSONValue.string))]]
        case .run(let jobType, let request):
            [
                "run": [
                    "job_type": .string(jobType), "job_id": .string(request.jobID),
                    "project_id": .string(request.projectID), "parameters": request.parameters,
                    "document": request.document, "attempt": .integer(Int64(request.attempt)),
                    "timeout_ms": request.timeout.map { .integer($0.milliseconds) } ?? .null,
                ]
            ]
        case .cancel(let jobID, let attempt):
            ["cancel": ["job_id": .string(jobID), "attempt": .integer(Int64(attempt))]]
        case .log(let level, let message):
            ["log": ["level": .string(level.rawValue), "message": .string(message)]]
        case .progress(let fraction, let message):
            ["progress": ["fraction": .number(fraction), "message": message.map(JSONValue.string) ?? .null]]
        case .outcome(let outcome):
            [
                "outcome": [
                    "status": .string(outcome.status.rawValue),
                    "message": outcome.message.map(JSONValue.string) ?? .null,
                    "result": outcome.result ?? .null,
                    "artifacts": .array(
                        outcome.artifacts.map {
                            ["uri": .string($0.uri), "media_type": $0.mediaType.map(JSONValue.string) ?? .null]
                        }),
                    "dropped_log_lines": .integer(Int64(outcome.droppedLogLines)),
                    "duration_ms": .integer(outcome.duration.milliseconds),
                ]
            ]
        }
    }

    /// `nil` for anything this side does not understand (a protocol error the caller reports).
    init?(_ json: JSONValue) {
        guard let object = json.objectValue, object.count == 1, let (kind, body) = object.first else { return nil }
        switch kind {
        case "ready":
            guard let pid = body["pid"]?.int64Value else { return nil }
            self = .ready(
                pid: Int32(clamping: pid), jobTypes: body["job_types"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        case "run":
            guard let jobType = body["job_type"]?.stringValue, let jobID = body["job_id"]?.stringValue else {
                return nil
            }
            self = .run(
                jobType: jobType,
                request: ExecutionRequest(
                    jobID: jobID, projectID: body["project_id"]?.stringValue ?? "",
                    parameters: body["parameters"] ?? .object([:]), document: body["document"] ?? .object([:]),
                    attempt: UInt32(clamping: body["attempt"]?.int64Value ?? 1),
                    timeout: body["timeout_ms"]?.int64Value.map { .milliseconds($0) }))
        case "cancel":
            guard let jobID = body["job_id"]?.stringValue, let attempt = body["attempt"]?.int64Value else { return nil }
            self = .cancel(jobID: jobID, attempt: UInt32(clamping: attempt))
        case "log":
            guard let level = body["level"]?.stringValue.flatMap(ExecutorLogLevel.init(rawValue:)),
                let message = body["message"]?.stringValue
            else { return nil }
            self = .log(level, message)
        case "progress":
            guard let fraction = body["fraction"]?.doubleValue else { return nil }
            self = .progress(fraction, body["message"]?.stringValue)
        case "outcome":
            guard let status = body["status"]?.stringValue.flatMap(ExecutionOutcome.Status.init(rawValue:)) else {
                return nil
            }
            let result = body["result"]
            self = .outcome(
                ExecutionOutcome(
                    status: status, message: body["message"]?.stringValue,
                    result: result?.isNull == false ? result : nil,
                    artifacts: (body["artifacts"]?.arrayValue ?? []).compactMap { artifact in
                        artifact["uri"]?.stringValue.map {
                            Artifact(uri: $0, mediaType: artifact["media_type"]?.stringValue)
                        }
                    },
                    droppedLogLines: Int(clamping: body["dropped_log_lines"]?.int64Value ?? 0),
                    duration: .milliseconds(body["duration_ms"]?.int64Value ?? 0)))
        default:
            return nil
        }
    }
}
