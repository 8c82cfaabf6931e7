import Foundation
import MimirCore
import MimirQueue

/// The end-of-run checks every scenario shares: each accepted job ends succeeded (none lost, none
/// stuck), its stored result comes from exactly the attempt the record names, and the workers'
/// logs show at most one accepted success per job (none finished twice).
struct JobAudit: CustomStringConvertible {
    /// Accepted jobs the queue no longer knows.
    var lost: [String] = []
    /// Accepted jobs still queued or running when the run gave up waiting.
    var stuck: [String] = []
    /// Accepted jobs that ended other than succeeded (failed, dead, cancelled), with their error.
    var unsuccessful: [String: String] = [:]
    /// Succeeded jobs whose result is not their own (other job id) or not from the last attempt.
    var mismatched: [String] = []
    /// Jobs with more than one success accepted by the queue, from the workers' "job finished" lines.
    var duplicates: [String: Int] = [:]
    var succeeded = 0
    /// Jobs that needed more than one attempt, and the most any needed.
    var retried = 0
    var maxAttempts = 0

    init(accepted: [String], records: [String: JobRecord], workerLogs: [String]) {
        var successes: [String: Int] = [:]
        for log in workerLogs {
            for (job, status) in Self.finishedLines(log) where status == "succeeded" {
                successes[job, default: 0] += 1
            }
        }
        for id in accepted {
            guard let record = records[id] else {
                lost.append(id)
                continue
            }
            switch record.status {
            case .queued, .running:
                stuck.append(id)
            case .succeeded:
                succeeded += 1
                let result = record.result
                if result?["job_id"] != .string(id) || result?["attempt"] != .integer(Int64(record.attempts)) {
                    mismatched.append(id)
                }
            default:
                unsuccessful[id] = "\(record.status.rawValue): \(record.error ?? "")"
            }
            if record.attempts > 1 { retried += 1 }
            maxAttempts = max(maxAttempts, record.attempts)
            if let count = successes[id], count > 1 { duplicates[id] = count }
        }
    }

    var isClean: Bool {
        lost.isEmpty && stuck.isEmpty && unsuccessful.isEmpty && mismatched.isEmpty && duplicates.isEmpty
    }

    var description: String {
        "succeeded \(succeeded), lost \(lost.count) \(lost.prefix(5)), stuck \(stuck.count) \(stuck.prefix(5)), "
            + "unsuccessful \(unsuccessful.count) \(unsuccessful.prefix(5).map { "\($0.key) \($0.value)" }), "
            + "mismatched results \(mismatched.count) "
            + "\(mismatched.prefix(5)), finished twice \(duplicates.count) \(duplicates.prefix(5).map { "\($0.key) ×\($0.value)" })"
    }

    /// (job id, new status) of every `job finished` line a worker logged: one per outcome the queue
    /// accepted (`mimir_finish` refuses a second one, and a stale worker's).
    static func finishedLines(_ log: String) -> [(String, String)] {
        log.split(separator: "\n").compactMap { line in
            guard line.hasSuffix("job finished") else { return nil }
            var job: String?
            var status: String?
            for word in line.split(separator: " ") {
                if word.hasPrefix("job=") { job = String(word.dropFirst(4)) }
                if word.hasPrefix("status=") { status = String(word.dropFirst(7)) }
            }
            guard let job, let status else { return nil }
            return (job, status)
        }
    }
}

/// One scenario's figures: printed, and appended as a JSON line to `.build/fault-report/<name>.jsonl`
/// so docs/reliability.md can quote the runs.
enum FaultReport {
    static func write(_ scenario: String, _ figures: [String: JSONValue]) {
        var line = figures
        line["scenario"] = .string(scenario)
        line["at"] = .string(ISO8601DateFormatter().string(from: Date()))
        let text = JSONValue.object(line).jsonText()
        print("fault-report \(text)")
        let folder = "\(FaultFiles.repository)/.build/fault-report"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = "\(folder)/\(scenario).jsonl"
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data((text + "\n").utf8))
            try? handle.close()
        }
    }

    /// The audit's figures, for the report line.
    static func figures(_ audit: JobAudit, accepted: Int) -> [String: JSONValue] {
        [
            "jobs": .integer(Int64(accepted)), "succeeded": .integer(Int64(audit.succeeded)),
            "lost": .integer(Int64(audit.lost.count)), "stuck": .integer(Int64(audit.stuck.count)),
            "unsuccessful": .integer(Int64(audit.unsuccessful.count)),
            "mismatched_results": .integer(Int64(audit.mismatched.count)),
            "duplicates": .integer(Int64(audit.duplicates.count)), "retried_jobs": .integer(Int64(audit.retried)),
            "max_attempts": .integer(Int64(audit.maxAttempts)),
        ]
    }
}

extension Array where Element == Int64 {
    /// The median of the values (0 for none).
    var median: Int64 {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        return sorted[sorted.count / 2]
    }
}
