import MimirCore
import MimirQueue

/// A job as the REST API shows it (the `Job` schema of the OpenAPI document).
enum JobRepresentation {
    static func json(_ job: JobRecord, waitingReason: String? = nil) -> JSONValue {
        func time(_ value: Int64?) -> JSONValue {
            value.map { .string(UTCTimestamp.format(milliseconds: $0)) } ?? .null
        }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(job.id),
            "type": .string(job.type),
            "status": .string(job.status.rawValue),
            "priority": .integer(Int64(job.priority)),
            "project_id": job.projectID.isEmpty ? .null : .string(job.projectID),
            "task_spec": job.spec["task_spec"] ?? .object([:]),
            "resource_requirements": job.spec["resource_requirements"] ?? .null,
            "data_access": job.spec["data_access"] ?? .null,
            "attempts": .integer(Int64(job.attempts)),
            "max_attempts": .integer(Int64(job.maxAttempts)),
            "created_at": time(job.createdAt),
            "updated_at": time(job.updatedAt),
            "started_at": time(job.startedAt),
            "finished_at": time(job.finishedAt),
            "run_after": time(job.runAfter),
            "lease_expires_at": time(job.leaseExpiresAt),
            "worker_id": text(job.workerID),
            "progress": .number(job.progress),
            "progress_message": text(job.progressMessage),
            "result": job.result ?? .null,
            "error": text(job.error),
            "error_kind": text(job.errorKind),
            "last_error": text(job.lastError),
            "cancel_requested": .bool(job.cancelRequested),
            "logs_dropped": .integer(Int64(job.logsDropped)),
            "manual_retries": .integer(Int64(job.manualRetries)),
            "crashes": .integer(Int64(job.crashes)),
            "idempotency_key": text(job.idempotencyKey),
            "waiting_reason": text(waitingReason),
        ])
    }

    static func json(_ stats: QueueStats) -> JSONValue {
        var depth: [String: JSONValue] = [:]
        for entry in stats.depths {
            var byPriority: [String: JSONValue] = [:]
            for (priority, count) in entry.byPriority where count > 0 {
                byPriority[String(priority)] = .integer(Int64(count))
            }
            depth[entry.type] = ["ready": .integer(Int64(entry.ready)), "by_priority": .object(byPriority)]
        }
        var counts: [String: JSONValue] = [:]
        for status in JobStatus.allCases { counts[status.rawValue] = .integer(Int64(stats.counts[status] ?? 0)) }
        return [
            "depth": .object(depth), "counts": .object(counts), "delayed": .integer(Int64(stats.delayed)),
            "in_flight": .integer(Int64(stats.inFlight)),
        ]
    }
}
