/// One job attempt as the C ABI takes it (`mimir_job_input`): its parameters and document already
/// JSON text. `ExecutionRequest.input` makes one; an executor process receives one from its
/// worker, which has checked the parameters against the executor's schema before sending
/// (`LoadedExecutor.rejection(of:)`), so the child neither parses them nor writes them out again.
public struct ExecutionInput: Sendable, Hashable {
    public var jobID: String
    public var projectID: String
    /// `task_spec.parameters` as JSON text, already accepted by the executor's schema.
    public var parametersJSON: String
    /// The whole job document as JSON text, handed to the plugin as `job_json`.
    public var documentJSON: String
    /// 1 for the first run.
    public var attempt: UInt32
    /// Ends the job as timed out when exceeded (the executor sees `is_cancelled`).
    public var timeout: Duration?

    public init(
        jobID: String, projectID: String, parametersJSON: String, documentJSON: String, attempt: UInt32,
        timeout: Duration?
    ) {
        self.jobID = jobID
        self.projectID = projectID
        self.parametersJSON = parametersJSON
        self.documentJSON = documentJSON
        self.attempt = attempt
        self.timeout = timeout
    }
}

extension ExecutionRequest {
    /// The request with its JSON values written as text.
    public var input: ExecutionInput {
        ExecutionInput(
            jobID: jobID, projectID: projectID, parametersJSON: parameters.jsonText(),
            documentJSON: document.jsonText(),
            attempt: attempt, timeout: timeout)
    }
}
