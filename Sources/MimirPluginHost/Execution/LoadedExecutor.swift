import MimirCore
import MimirJSONSchema
import PluginABI
import Synchronization

/// An executor ready to run jobs: its manifest, its plugin's instance and the function to call.
public final class LoadedExecutor: Sendable {
    public let manifest: ExecutorManifest
    public let plugin: PluginManifest
    public let path: String
    let schema: JSONSchema
    private let execute: ExecuteFunction
    private let instance: PluginInstance
    private let configuration: PluginHostConfiguration
    /// Held for the whole call of an executor that is not concurrent-safe.
    private let serialGate = Mutex(())

    struct ExecuteFunction: @unchecked Sendable {
        // A C function pointer into a plugin that is never unloaded.
        let function: mimir_execute_fn
    }

    init(
        manifest: ExecutorManifest, schema: JSONSchema, execute: mimir_execute_fn, instance: PluginInstance,
        configuration: PluginHostConfiguration
    ) {
        self.manifest = manifest
        self.plugin = instance.file.manifest
        self.path = instance.file.path
        self.schema = schema
        self.execute = ExecuteFunction(function: execute)
        self.instance = instance
        self.configuration = configuration
    }

    /// "PipelineExecution 0.1.0 / pipeline_execution 0.1.0", for messages.
    public var displayName: String {
        "\(plugin.name) \(plugin.version) / \(manifest.jobType) \(manifest.version)"
    }

    func shutdownInstance() {
        instance.shutdown()
    }

    /// The outcome of a job whose parameters `schema` refuses (each violation named by its
    /// location), or `nil` when it accepts them.
    public func rejection(of parameters: JSONValue) -> ExecutionOutcome? {
        let violations = schema.validate(parameters)
        guard !violations.isEmpty else { return nil }
        let list = violations.map {
            "task_spec.parameters\($0.instancePath.isEmpty ? "" : $0.instancePath): \($0.message)"
        }
        return ExecutionOutcome(
            status: .invalidInput,
            message: "parameters rejected by \(manifest.jobType) \(manifest.version)'s schema: "
                + list.joined(separator: "; "))
    }

    /// Runs one job on the calling thread, blocking until the executor returns: its parameters
    /// checked against the schema first. Serialised with other calls when the executor is not
    /// concurrent-safe.
    public func run(
        _ request: ExecutionRequest, observer: (any ExecutionObserver)? = nil,
        cancellation: CancellationToken = CancellationToken()
    ) -> ExecutionOutcome {
        let started = ContinuousClock.now
        var outcome =
            rejection(of: request.parameters)
            ?? runChecked(
                request.input, observer: observer, cancellation: cancellation, started: started)
        outcome.duration = ContinuousClock.now - started
        return outcome
    }

    /// Runs one job whose parameters were already checked with `rejection(of:)` (by the worker
    /// that sent it to this executor process).
    public func run(
        checked input: ExecutionInput, observer: (any ExecutionObserver)? = nil,
        cancellation: CancellationToken = CancellationToken()
    ) -> ExecutionOutcome {
        let started = ContinuousClock.now
        var outcome = runChecked(input, observer: observer, cancellation: cancellation, started: started)
        outcome.duration = ContinuousClock.now - started
        return outcome
    }

    private func runChecked(
        _ input: ExecutionInput, observer: (any ExecutionObserver)?, cancellation: CancellationToken,
        started: ContinuousClock.Instant
    ) -> ExecutionOutcome {
        if cancellation.isCancelled {
            return ExecutionOutcome(status: .cancelled, message: "cancelled before it started")
        }
        guard instance.beginCall() else {
            return ExecutionOutcome(status: .retryableFailure, message: "\(displayName): plugin is shutting down")
        }
        defer { instance.endCall() }

        let scratch = ScratchSpace(root: configuration.scratchRoot, jobID: input.jobID)
        defer { scratch.remove() }
        let call = CallContext(
            purpose: .job(
                observer: observer, cancellation: cancellation, deadline: input.timeout.map { started + $0 },
                scratch: scratch),
            maxLogBytes: configuration.maxLogBytesPerJob)
        let arena = CStringArena()
        var cInput = mimir_job_input(
            struct_size: UInt32(MemoryLayout<mimir_job_input>.size),
            job_id: arena.copy(input.jobID),
            job_type: arena.copy(manifest.jobType),
            project_id: arena.copy(input.projectID),
            parameters_json: arena.copy(input.parametersJSON),
            job_json: arena.copy(input.documentJSON),
            attempt: input.attempt)
        let status = withExtendedLifetime((call, arena)) {
            if !manifest.concurrent {
                return serialGate.withLock { _ in
                    execute.function(instance.pointer, HostServices.table, HostServices.handle(for: call), &cInput)
                }
            }
            return execute.function(instance.pointer, HostServices.table, HostServices.handle(for: call), &cInput)
        }
        return outcome(of: status, call: call, timeout: input.timeout)
    }

    private func outcome(of status: mimir_status, call: CallContext, timeout: Duration?) -> ExecutionOutcome {
        let reports = call.snapshot
        var outcome = ExecutionOutcome(
            status: .succeeded, result: reports.result, artifacts: reports.artifacts,
            droppedLogLines: reports.droppedLogLines)
        func reason(_ fallback: String) -> String { reports.error ?? "\(displayName) \(fallback)" }
        switch status {
        case MIMIR_OK:
            if let invalid = reports.invalidResult {
                outcome.status = .permanentFailure
                outcome.message = "\(displayName) reported success but its result is not valid JSON: \(invalid)"
            }
        case MIMIR_ERROR_RETRYABLE:
            outcome.status = .retryableFailure
            outcome.message = reason("failed (retryable) without a reason")
        case MIMIR_ERROR_PERMANENT:
            outcome.status = .permanentFailure
            outcome.message = reason("failed without a reason")
        case MIMIR_ERROR_INVALID_INPUT:
            outcome.status = .invalidInput
            outcome.message = reason("rejected the job's input without a reason")
        case MIMIR_CANCELLED:
            if call.hasTimedOut, let timeout {
                outcome.status = .timedOut
                outcome.message = "timed out after \(timeout.formattedSeconds)"
            } else {
                outcome.status = .cancelled
                outcome.message = reports.error ?? "cancelled"
            }
        default:
            outcome.status = .permanentFailure
            outcome.message =
                "\(displayName) returned unknown status \(status)"
                + (reports.error.map { " (\($0))" } ?? "")
        }
        return outcome
    }
}

extension Duration {
    /// "0.5 s", "30 s": for messages.
    public var formattedSeconds: String {
        let milliseconds = nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }
}
