import Logging
import NIOPosix
import Synchronization

/// One connection on one thread of its own, for commands that block server-side: BLMOVE, BRPOP,
/// BZPOPMIN, XREAD BLOCK, WAIT.
///
/// On a ``RedisClient`` such a command would hold a pool thread for its whole wait, and a few of them
/// would starve every other caller. Here it blocks only this object's thread. A worker loop owns one:
///
/// ```swift
/// let jobs = RedisBlockingConnection(configuration: configuration)
/// while !Task.isCancelled {
///     let reply = try await jobs.execute(
///         ["BLMOVE", "queue", "processing", "RIGHT", "LEFT", "2"], blockingFor: .seconds(2))
///     ...
/// }
/// await jobs.shutdown()
/// ```
///
/// Commands from concurrent callers run one after another. The connection is opened on first use and
/// opened again after a failure, so a loop that catches connection errors (and waits a moment)
/// recovers when Redis comes back. ``shutdown()`` waits for a command in flight, so keep block
/// timeouts short (seconds) and loop, rather than blocking forever with a timeout of 0.
public final class RedisBlockingConnection: Sendable {
    public let configuration: RedisConfiguration
    private let thread = NIOThreadPool(numberOfThreads: 1)
    private struct State {
        /// Only ever used on `thread`; the mutex makes that provable to the compiler.
        var connection: ConnectionPool.Pooled?
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let logger: Logger

    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "mimir.redis.blocking")) {
        self.configuration = configuration
        self.logger = logger
        thread.start()
    }

    deinit {
        thread.shutdownGracefully { _ in }
    }

    /// Sends `command`, waiting up to `blockingFor` plus the configured `commandTimeout` for the
    /// reply: pass the block time the command itself names (its last argument, for BLMOVE and BRPOP),
    /// so the socket timeout never fires before the server answers.
    public func execute(_ command: [String], blockingFor: Duration = .zero) async throws(RedisError) -> RedisReply {
        let timeout = configuration.commandTimeout + max(blockingFor, .zero)
        let name = CommandArguments([command.first ?? ""]).name
        do {
            return try await thread.runIfActive { () throws(RedisError) -> RedisReply in
                let current = try self.currentConnection(command: name)
                if current.commandTimeout != timeout {
                    try current.setCommandTimeout(timeout)
                }
                return try current.send(command)
            }
        } catch let error as RedisError {
            throw error
        } catch {
            // NIO reports both a cancelled task and a shut-down thread as CancellationError.
            let isShutDown = state.withLock { $0.isShutDown }
            throw RedisError(
                kind: isShutDown ? .connection : .cancelled, server: configuration.serverName, command: name,
                reason: isShutDown
                    ? "the blocking connection has been shut down"
                    : "the calling task was cancelled before the command was sent")
        }
    }

    /// The open connection, or a new one when there is none or it broke. Runs on `thread` only.
    private func currentConnection(command: String) throws(RedisError) -> RedisConnection {
        if let existing = state.withLock({ $0.connection }), !existing.connection.isBroken {
            return existing.connection
        }
        do throws(RedisError) {
            let fresh = try RedisConnection(configuration: configuration)
            state.withLock { $0.connection = ConnectionPool.Pooled(connection: fresh, generation: 0) }
            return fresh
        } catch {
            logger.debug("Cannot connect to Redis", metadata: ["redis.error": "\(error)"])
            throw error.relabeled(command: command)
        }
    }

    /// Waits for a command in flight (at most its block time), then closes the connection.
    public func shutdown() async {
        state.withLock { $0.isShutDown = true }
        try? await thread.shutdownGracefully()
        let closing = state.withLock { state in
            defer { state.connection = nil }
            return state.connection
        }
        _ = closing  // Closed here, outside the lock.
    }
}
