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
///     let reply = try await jobs.execute(["BLMOVE", "queue", "processing", "RIGHT", "LEFT", "2"], blockingFor: .seconds(2))
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
    /// Only ever touched on `thread`; the mutex is there to make that provable to the compiler.
    private let connection = Mutex<ConnectionPool.Pooled?>(nil)
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
            throw RedisError(
                kind: .cancelled, server: configuration.serverName, command: name,
                reason: "cancelled or shut down before the command was sent")
        }
    }

    /// The open connection, or a new one when there is none or it broke. Runs on `thread` only.
    private func currentConnection(command: String) throws(RedisError) -> RedisConnection {
        if let existing = connection.withLock({ $0 }), !existing.connection.isBroken {
            return existing.connection
        }
        do throws(RedisError) {
            let fresh = try RedisConnection(configuration: configuration)
            connection.withLock { $0 = ConnectionPool.Pooled(connection: fresh, generation: 0) }
            return fresh
        } catch {
            logger.debug("Cannot connect to Redis", metadata: ["redis.error": "\(error)"])
            throw error.relabeled(command: command)
        }
    }

    /// Waits for a command in flight (at most its block time), then closes the connection.
    public func shutdown() async {
        try? await thread.shutdownGracefully()
        let closing = connection.withLock { connection in
            defer { connection = nil }
            return connection
        }
        _ = closing
    }
}
