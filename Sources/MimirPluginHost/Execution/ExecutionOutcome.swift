import MimirCore

/// How one execution ended, in the host's terms. Built from the plugin's status, what it set
/// through host services, and what the host itself observed (timeouts, invalid input).
public struct ExecutionOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        case succeeded
        /// Transient: the queue may retry with backoff.
        case retryableFailure = "retryable_failure"
        case permanentFailure = "permanent_failure"
        /// The job's input is at fault (including parameters refused by the executor's schema).
        case invalidInput = "invalid_input"
        case cancelled
        case timedOut = "timed_out"
        /// The process running the executor died mid-job (a signal, or an exit the host did not
        /// ask for). Only seen when executors run in child processes (executor isolation).
        case crashed

        public var isSuccess: Bool { self == .succeeded }
    }

    public var status: Status
    /// Why it did not succeed; `nil` on success.
    public var message: String?
    /// What the executor set with `set_result`; `nil` when it set none.
    public var result: JSONValue?
    public var artifacts: [Artifact]
    /// Log lines the host did not forward because the job's log cap was reached.
    public var droppedLogLines: Int
    public var duration: Duration

    public init(
        status: Status, message: String? = nil, result: JSONValue? = nil, artifacts: [Artifact] = [],
        droppedLogLines: Int = 0, duration: Duration = .zero
    ) {
        self.status = status
        self.message = message
        self.result = result
        self.artifacts = artifacts
        self.droppedLogLines = droppedLogLines
        self.duration = duration
    }
}

/// An output a job produced, recorded with `add_artifact`.
public struct Artifact: Sendable, Hashable, Codable {
    public var uri: String
    public var mediaType: String?

    public init(uri: String, mediaType: String? = nil) {
        self.uri = uri
        self.mediaType = mediaType
    }

    enum CodingKeys: String, CodingKey {
        case uri
        case mediaType = "media_type"
    }
}

public enum ExecutorLogLevel: String, Sendable, Hashable, Codable, Comparable {
    case debug, info, warning, error

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }

    public static func < (lhs: ExecutorLogLevel, rhs: ExecutorLogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// Receives what an executor reports while it runs. Called synchronously on the executor's
/// threads: implementations must be quick and thread-safe.
public protocol ExecutionObserver: Sendable {
    func executorLogged(_ level: ExecutorLogLevel, _ message: String)
    func executorProgressed(_ fraction: Double, _ message: String?)
}
