@_exported import MimirCore

/// A job executor written in Swift. Conform a type, list it in your `Plugin`'s `executors`, and
/// export the plugin with one line (see `Plugin`). The SDK turns the type into an ABI executor
/// descriptor, catches every Swift error at the boundary and maps it to a status.
public protocol Executor: Sendable {
    /// The job type served, e.g. "pipeline_execution": 1 to 64 of [a-z0-9_], starting with a letter.
    static var jobType: String { get }
    /// The executor's own semantic version (independent of the plugin's).
    static var version: String { get }
    /// One line for listings.
    static var summary: String { get }
    /// JSON Schema of `task_spec.parameters`. The host validates every job against it before
    /// `execute` runs, so `execute` may rely on it.
    static var parametersSchema: JSONValue { get }
    static var options: ExecutorOptions { get }

    /// Called once per plugin instance (from the plugin's `init`). Throwing refuses the plugin.
    init(configuration: PluginConfiguration) throws

    /// Runs one job and returns its result document. Throw `ExecutorError` to choose the
    /// status; any other error is a permanent failure with the error's description.
    func execute(_ job: Job, context: JobContext) throws -> JSONValue
}

extension Executor {
    public static var summary: String { "" }
    public static var options: ExecutorOptions { ExecutorOptions() }
}

/// Scheduling and threading facts about an executor.
public struct ExecutorOptions: Sendable {
    /// `execute` may run on several threads at once. Without it the host serialises calls.
    public var concurrent: Bool
    public var needsGPU: Bool
    /// Typical peak memory of one job in bytes (0: unknown).
    public var memoryHintBytes: UInt64

    public init(concurrent: Bool = false, needsGPU: Bool = false, memoryHintBytes: UInt64 = 0) {
        self.concurrent = concurrent
        self.needsGPU = needsGPU
        self.memoryHintBytes = memoryHintBytes
    }
}

/// Errors that choose the job's status. Any other thrown error is `.permanent`.
public enum ExecutorError: Error, Sendable, CustomStringConvertible {
    /// Transient: the queue may run the job again with backoff.
    case retryable(String)
    case permanent(String)
    /// The job's input is at fault.
    case invalidInput(String)
    case cancelled

    public var description: String {
        switch self {
        case .retryable(let message), .permanent(let message), .invalidInput(let message): message
        case .cancelled: "cancelled"
        }
    }
}
