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
        let body = try await JSONBody.read(request, limits: bodyLimits)
        let report = try WorkerReport(body)
        if report.status == "running" {
            // Logs, progress and the job read back in one round trip; only the lease holder may
            // write them.
            let record = try await run { () async throws(QueueError) in
                try await queue.report(
                    jobID: id, workerID: report.workerID, progress: report.progress, message: report.message,
                    lines: report.logs)
            }
            return answer(.ok, job: record)
        }
        let outcome = report.outcome
        let ended: (status: JobStatus, job: JobRecord)
        do throws(QueueError) {
            ended = try await queue.finish(jobID: id, workerID: report.workerID, outcome: outcome, lines: report.logs)
        } catch let refusal where refusal.isLeaseGone {
            // The same report again, after its answer was lost (a 503 once Redis had run it): the
            // job ended as it says, by this worker, its lines appended with the end. Answered as
            // the first was, not as a conflict.
            let recorded = try await run { () async throws(QueueError) in
                try await queue.recordedEnd(jobID: id, workerID: report.workerID, outcome: outcome)
            }
            guard let record = recorded else { throw APIError.from(refusal) }
            return answer(.ok, job: record, headers: [Self.idempotentReplayed: "true"])
        } catch {
            throw APIError.from(error)
        }
        metrics.attemptEnded(type: ended.job.type, status: ended.status)
        return answer(.ok, job: ended.job)
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
        // An empty reason is no reason: the defaults below then say so.
        error = fields["error"].flatMap { problems.string($0, at: "error", nonEmpty: false) }.flatMap {
            $0.isEmpty ? nil : $0
        }
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
                    if let parsed = Self.logLine(line, at: "logs[\(index)]", now: now, &problems) {
                        logs.append(parsed)
                    }
                }
            } else {
                problems.add("logs", "must be an array of {level, message, time_ms}, got \(value.typeName)")
            }
        }
        // A worker may not claim what only the server decides, nor contradict itself.
        if let kind = errorKind {
            if kind == .leaseExpired {
                problems.add("error_kind", "lease_expired is set by the orchestrator, not reported")
            }
            if kind == .retryableFailure, fields["retryable"]?.boolValue == false {
                problems.add("retryable", "false contradicts error_kind retryable_failure")
            }
            if kind == .retryableFailure { retryable = true }
        }
        if !problems.isEmpty {
            var error = problems.error
            error = APIError(
                status: error.status, code: "invalid_report", message: error.message, problems: error.problems)
            throw error
        }
    }

    static let logLevels = ["debug", "info", "warning", "error"]
    /// Timestamps from 1970 up to the year 9999, the range RFC 3339 can write.
    static let logTimeRange: ClosedRange<Int64> = 0...253_402_300_799_999

    static func logLine(_ line: JSONValue, at field: String, now: Int64, _ problems: inout Problems) -> LogLine? {
        guard let object = problems.object(line, at: field) else { return nil }
        problems.refuseUnknown(object, allowed: ["level", "message", "time_ms"], at: field)
        guard let message = object["message"].flatMap({ problems.string($0, at: "\(field).message", nonEmpty: false) })
        else {
            if object["message"] == nil { problems.add("\(field).message", "required string") }
            return nil
        }
        var level = "info"
        if let value = object["level"], let text = problems.string(value, at: "\(field).level", nonEmpty: true) {
            if logLevels.contains(text) {
                level = text
            } else {
                problems.add("\(field).level", "must be one of \(logLevels.joined(separator: ", ")), got \"\(text)\"")
            }
        }
        var time = now
        if let value = object["time_ms"] {
            if let milliseconds = value.int64Value, logTimeRange.contains(milliseconds) {
                time = milliseconds
            } else {
                problems.add(
                    "\(field).time_ms", "must be milliseconds since 1970 up to the year 9999, got \(value.jsonText())")
            }
        }
        return LogLine(time: time, level: level, message: message)
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
