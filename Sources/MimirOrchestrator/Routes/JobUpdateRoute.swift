import Hummingbird
import MimirCore
import MimirQueue

/// `POST /api/jobs/{id}`: a worker's report on the job it holds — progress (renewing its lease),
/// log lines, and finally the attempt's outcome. Answers with the job and whether cancellation
/// was requested, so a worker learns of a cancel on its next report.
extension JobRoutes {
    static let updateFields = [
        "worker_id", "status", "progress", "message", "result", "error", "error_kind", "retryable", "logs",
    ]
    static let reportableStatuses = ["running", "succeeded", "failed", "cancelled"]

    func update(_ request: Request, id: String) async throws -> Response {
        let body = try await JSONBody.read(request, limit: maxBodyBytes)
        let report = try WorkerReport(body)
        if !report.logs.isEmpty {
            try await run { () async throws(QueueError) in try await queue.appendLogs(jobID: id, lines: report.logs) }
        }
        var cancelRequested = false
        switch report.status {
        case "running":
            cancelRequested = try await run { () async throws(QueueError) in
                try await queue.heartbeat(
                    jobID: id, workerID: report.workerID, progress: report.progress, message: report.message)
            }
        default:
            let outcome = report.outcome
            let status = try await run { () async throws(QueueError) in
                try await queue.finish(jobID: id, workerID: report.workerID, outcome: outcome)
            }
            let record = try await run { () async throws(QueueError) in try await queue.job(id) }
            metrics.attemptEnded(type: record.type, status: status)
        }
        let record = try await run { () async throws(QueueError) in try await queue.job(id) }
        var json = JobRepresentation.json(record)
        if case .object(var fields) = json {
            fields["cancel_requested"] = .bool(cancelRequested || record.cancelRequested)
            json = .object(fields)
        }
        return JSONResponse.make(.ok, json)
    }
}

/// A worker's report, validated field by field.
struct WorkerReport {
    var workerID: String
    var status: String
    var progress: Double?
    var message: String?
    var result: JSONValue?
    var error: String?
    var errorKind: JobErrorKind?
    var retryable: Bool
    var logs: [LogLine]

    init(_ body: JSONValue) throws(APIError) {
        guard let fields = body.objectValue else {
            throw APIError(
                status: .unprocessableContent, code: "invalid_report",
                message: "a report must be a JSON object, got \(body.typeName)")
        }
        var problems = Problems()
        problems.refuseUnknown(fields, allowed: JobRoutes.updateFields, at: "")
        workerID = fields["worker_id"].flatMap { problems.string($0, at: "worker_id", nonEmpty: true) } ?? ""
        if fields["worker_id"] == nil { problems.add("worker_id", "required: the id of the worker holding the job") }
        status = fields["status"].flatMap { problems.string($0, at: "status", nonEmpty: true) } ?? "running"
        if !JobRoutes.reportableStatuses.contains(status) {
            problems.add(
                "status", "must be one of \(JobRoutes.reportableStatuses.joined(separator: ", ")), got \"\(status)\"")
        }
        if let value = fields["progress"] {
            if let number = value.doubleValue, (0...1).contains(number) {
                progress = number
            } else {
                problems.add("progress", "must be a number from 0 to 1, got \(value.jsonText())")
            }
        }
        message = fields["message"].flatMap { problems.string($0, at: "message", nonEmpty: false) }
        result = fields["result"]
        error = fields["error"].flatMap { problems.string($0, at: "error", nonEmpty: false) }
        if let value = fields["error_kind"], let text = problems.string(value, at: "error_kind", nonEmpty: true) {
            errorKind = JobErrorKind(rawValue: text)
            if errorKind == nil { problems.add("error_kind", "unknown error kind \"\(text)\"") }
        }
        retryable = false
        if let value = fields["retryable"] {
            if let flag = value.boolValue {
                retryable = flag
            } else {
                problems.add("retryable", "must be a boolean, got \(value.typeName)")
            }
        }
        logs = []
        if let value = fields["logs"] {
            if let lines = value.arrayValue {
                let now = SystemQueueClock().nowMilliseconds()
                for (index, line) in lines.enumerated() {
                    guard let message = line["message"]?.stringValue else {
                        problems.add("logs[\(index)].message", "required string")
                        continue
                    }
                    let level = line["level"]?.stringValue ?? "info"
                    let time = line["time_ms"]?.int64Value ?? now
                    logs.append(LogLine(time: time, level: level, message: message))
                }
            } else {
                problems.add("logs", "must be an array of {level, message}, got \(value.typeName)")
            }
        }
        if !problems.isEmpty {
            var error = problems.error
            error = APIError(
                status: error.status, code: "invalid_report", message: error.message, problems: error.problems)
            throw error
        }
    }

    var outcome: AttemptOutcome {
        switch status {
        case "succeeded":
            return .succeeded(result: result)
        case "cancelled":
            return .cancelled(message: error ?? "cancelled")
        default:
            let kind = errorKind ?? (retryable ? .retryableFailure : .permanentFailure)
            return .failed(
                message: error ?? "failed without a reason", kind: kind, retryable: retryable, result: result)
        }
    }
}
