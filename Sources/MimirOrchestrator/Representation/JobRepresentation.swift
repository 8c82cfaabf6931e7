import MimirCore
import MimirQueue

/// A job as the REST API shows it (the `Job` schema of the OpenAPI document).
enum JobRepresentation {
    /// A job as the bytes of a response body, written without a dictionary.
    static func jsonBytes(_ job: JobRecord, waitingReason: String? = nil) -> [UInt8] {
        JSONValue.objectBytes(sortedMembers: members(job, waitingReason: waitingReason))
    }

    /// `{"<key>": [jobs], <members>}` as ``JSONValue/jsonBytes(pretty:)`` writes it, each job as
    /// ``jsonBytes(_:waitingReason:)`` does; `members` in key order, after `key` (a batch's answer,
    /// a listing's page: building every job as a dictionary, then sorting it, was a third of the
    /// orchestrator's time on a batch).
    static func listBytes(
        _ key: String, _ jobs: [JobRecord], followedBy members: [(key: String, value: JSONValue)] = [],
        waitingReason: (JobRecord) -> String?
    ) -> [UInt8] {
        assert(members.first.map { key < $0.key } ?? true, "members not in key order")
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.append(contentsOf: JSONValue.string(key).jsonBytes())
        bytes.append(contentsOf: ":[".utf8)
        for (index, job) in jobs.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: jsonBytes(job, waitingReason: waitingReason(job)))
        }
        bytes.append(UInt8(ascii: "]"))
        if members.isEmpty {
            bytes.append(UInt8(ascii: "}"))
        } else {
            // `{"a":…,"b":…}` becomes `,"a":…,"b":…}` after the list.
            var rest = JSONValue.objectBytes(sortedMembers: members)
            rest[0] = UInt8(ascii: ",")
            bytes.append(contentsOf: rest)
        }
        return bytes
    }

    /// The job's fields in key order, as `JSONValue.objectBytes(sortedMembers:)` needs them.
    private static func members(_ job: JobRecord, waitingReason: String?) -> [(key: String, value: JSONValue)] {
        func time(_ value: Int64?) -> JSONValue {
            value.map { .string(UTCTimestamp.format(milliseconds: $0)) } ?? .null
        }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            ("attempts", .integer(Int64(job.attempts))),
            ("cancel_requested", .bool(job.cancelRequested)),
            ("crashes", .integer(Int64(job.crashes))),
            ("created_at", time(job.createdAt)),
            ("data_access", job.spec["data_access"] ?? .null),
            ("error", text(job.error)),
            ("error_kind", text(job.errorKind)),
            ("finished_at", time(job.finishedAt)),
            ("id", .string(job.id)),
            ("idempotency_key", text(job.idempotencyKey)),
            ("last_error", text(job.lastError)),
            ("lease_expires_at", time(job.leaseExpiresAt)),
            ("logs_dropped", .integer(Int64(job.logsDropped))),
            ("manual_retries", .integer(Int64(job.manualRetries))),
            ("max_attempts", .integer(Int64(job.maxAttempts))),
            ("priority", .integer(Int64(job.priority))),
            ("progress", .number(job.progress)),
            ("progress_message", text(job.progressMessage)),
            ("project_id", job.projectID.isEmpty ? .null : .string(job.projectID)),
            ("resource_requirements", job.spec["resource_requirements"] ?? .null),
            ("result", job.result ?? .null),
            ("run_after", time(job.runAfter)),
            ("started_at", time(job.startedAt)),
            ("status", .string(job.status.rawValue)),
            ("task_spec", job.spec["task_spec"] ?? .object([:])),
            ("type", .string(job.type)),
            ("updated_at", time(job.updatedAt)),
            ("waiting_reason", text(waitingReason)),
            ("worker_id", text(job.workerID)),
        ]
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
