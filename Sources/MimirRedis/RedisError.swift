/// A failed Redis operation, with enough context to act on it from a log line alone.
///
/// The description always names the server and the command's first word, never its arguments:
/// arguments hold keys, payloads and (for AUTH) passwords that must not reach logs.
public struct RedisError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Hashable {
        /// Could not connect, the connection was reset or closed, or the client is shut down.
        case connection
        /// No reply within `commandTimeout`, or no connection within `connectTimeout`.
        case timeout
        /// The server answered with an error reply ("WRONGTYPE …", "NOSCRIPT …", "WRONGPASS …").
        case server
        /// A reply hiredis could not parse, or one this client does not understand.
        case `protocol`
        /// The configuration or the call itself is wrong (bad URL, empty command): retrying won't help.
        case configuration
        /// The calling task was cancelled before the command was sent.
        case cancelled
    }

    public let kind: Kind
    /// `host:port` of the server involved; `nil` when no server was (a URL that did not parse).
    public let server: String?
    /// The command's first word, upper-cased ("GET", "EVALSHA"), or a label such as "connect".
    public let command: String?
    /// What went wrong, without the context above: the server's error text for `.server`.
    public let reason: String

    public init(kind: Kind, server: String?, command: String?, reason: String) {
        self.kind = kind
        self.server = server
        self.command = command
        self.reason = reason
    }

    /// True when Redis could not be reached in time: the caller should answer "service unavailable"
    /// (HTTP 503) and try again later, not report a bug.
    public var isConnectionProblem: Bool {
        kind == .connection || kind == .timeout
    }

    /// The error code of a server error reply ("WRONGTYPE", "NOSCRIPT", "BUSYGROUP"), for callers that
    /// react to one (e.g. EVALSHA → NOSCRIPT → EVAL).
    public var serverErrorCode: String? {
        guard kind == .server else { return nil }
        return reason.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    /// Server error codes that mean "not now" rather than "broken": loading its data after a
    /// restart, a read-only replica, out of memory, busy with a long script, a cluster or
    /// replication state in flux. Redis refused the command before running it.
    public static let passingRefusalCodes: Set<String> = [
        "LOADING", "READONLY", "OOM", "BUSY", "MASTERDOWN", "TRYAGAIN", "NOREPLICAS", "CLUSTERDOWN",
    ]

    /// True for an error reply that says "not now" (``passingRefusalCodes``): the caller should
    /// treat it as an outage and try again later, as with ``isConnectionProblem``.
    public var isPassingRefusal: Bool {
        serverErrorCode.map(Self.passingRefusalCodes.contains) ?? false
    }

    /// The reason with its context: "Redis 127.0.0.1:6379, GET: WRONGTYPE Operation against …".
    public var message: String {
        var context = "Redis"
        if let server { context += " \(server)" }
        if let command { context += "\(server == nil ? "" : ",") \(command)" }
        return "\(context): \(reason)"
    }

    public var description: String { message }
}

extension RedisError {
    /// A failure while opening a connection, reported for the command that needed the connection,
    /// keeping the phase that failed ("AUTH", "SELECT") in the reason.
    func relabeled(command: String?) -> RedisError {
        guard let command, let phase = self.command else { return self }
        let reason = phase == "connect" ? reason : "\(phase) on a new connection failed: \(reason)"
        return RedisError(kind: kind, server: server, command: command, reason: reason)
    }
}

extension RedisError {
    /// The same error reported for `command` (a connection's failure, for each call it failed).
    func naming(_ command: String) -> RedisError {
        RedisError(kind: kind, server: server, command: command, reason: reason)
    }
}
