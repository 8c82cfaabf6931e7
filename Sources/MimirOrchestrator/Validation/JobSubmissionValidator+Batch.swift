import MimirCore
import MimirQueue

extension JobSubmissionValidator {
    /// The most problems one refused batch lists; the message counts them all.
    static let maximumBatchProblems = 100

    /// Checks a batch document, `{"jobs": [job, …]}`, each job as `validate(_:)` checks a single
    /// one. A batch is accepted whole or not at all, so every job's problems are reported at
    /// once, each field named from the batch's root (`jobs[3].priority`).
    func validateBatch(_ document: JSONValue) throws(APIError) -> [NewJob] {
        guard let fields = document.objectValue else {
            throw APIError(
                status: .unprocessableContent, code: "invalid_batch",
                message: "a batch must be a JSON object with a \"jobs\" array, got \(document.typeName)")
        }
        var problems = Problems()
        problems.refuseUnknown(fields, allowed: ["jobs"], at: "")
        guard let items = fields["jobs"]?.arrayValue else {
            problems.add("jobs", fields["jobs"].map { "must be an array of jobs, got \($0.typeName)" } ?? "required")
            throw problems.error(code: "invalid_batch")
        }
        if items.isEmpty { problems.add("jobs", "must hold at least one job") }
        if items.count > JobQueue.maximumBatchSize {
            problems.add("jobs", "holds \(items.count) jobs; a batch holds at most \(JobQueue.maximumBatchSize)")
        }
        guard problems.isEmpty else { throw problems.error(code: "invalid_batch") }

        var jobs: [NewJob] = []
        jobs.reserveCapacity(items.count)
        var refused: [(index: Int, error: APIError)] = []
        for (index, item) in items.enumerated() {
            do {
                jobs.append(try validate(item))
            } catch {
                refused.append((index, error))
            }
        }
        guard !refused.isEmpty else { return jobs }
        throw Self.batchError(refused)
    }

    /// One 422 for every refused job: each job's problems under `jobs[i]`, its own code and
    /// message kept in the problem when it had no field-level problems.
    private static func batchError(_ refused: [(index: Int, error: APIError)]) -> APIError {
        var problems: [APIError.Problem] = []
        for (index, error) in refused {
            let prefix = "jobs[\(index)]"
            if error.problems.isEmpty {
                problems.append(APIError.Problem(field: prefix, message: error.message))
            } else {
                problems += error.problems.map { APIError.Problem(field: "\(prefix).\($0.field)", message: $0.message) }
            }
        }
        let summary = problems.prefix(5).map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        let more = problems.count > 5 ? "; and \(problems.count - 5) more" : ""
        let jobs = refused.count == 1 ? "1 job" : "\(refused.count) jobs"
        return APIError(
            status: .unprocessableContent, code: "invalid_batch",
            message: "\(jobs) of the batch refused, so none was added: \(summary)\(more)",
            problems: Array(problems.prefix(maximumBatchProblems)),
            extra: [
                "refused_jobs": .array(refused.map { .integer(Int64($0.index)) }),
                "problem_count": .integer(Int64(problems.count)),
            ])
    }
}
