import MimirCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One job attempt to run through an executor.
public struct ExecutionRequest: Sendable {
    public var jobID: String
    public var projectID: String
    /// `task_spec.parameters`, validated against the executor's schema before the plugin sees it.
    public var parameters: JSONValue
    /// The whole job document, handed to the plugin as `job_json`.
    public var document: JSONValue
    /// 1 for the first run.
    public var attempt: UInt32
    /// Ends the job as timed out when exceeded (the executor sees `is_cancelled`).
    public var timeout: Duration?

    public init(
        jobID: String, projectID: String = "", parameters: JSONValue = .object([:]), document: JSONValue = .object([:]),
        attempt: UInt32 = 1, timeout: Duration? = nil
    ) {
        self.jobID = jobID
        self.projectID = projectID
        self.parameters = parameters
        self.document = document
        self.attempt = attempt
        self.timeout = timeout
    }

    /// A request for a submitted job's spec; the timeout comes from `task_spec.timeout_seconds`.
    public init(jobID: String, spec: JobSpec, attempt: UInt32 = 1) {
        let document = (try? JSONEncoder().encode(spec)).flatMap { try? JSONValue.parse($0) } ?? .object([:])
        self.init(
            jobID: jobID, projectID: spec.projectID ?? "", parameters: spec.taskSpec.parameters,
            document: document, attempt: attempt,
            timeout: spec.taskSpec.timeoutSeconds.map { .milliseconds(Int64(($0 * 1000).rounded())) })
    }
}
