import Logging
import NIOPosix

/// The Redis client servers share: a pool of connections used from threads of its own.
///
/// hiredis is blocking, so every command runs on one of this client's `poolSize` threads, never on
/// NIO's shared pool (two threads on a two-core machine, which blocked Redis calls would take from
/// the HTTP server) nor on Swift's cooperative threads. Connections are opened when first needed,
/// reused, and replaced after a failure, so the client heals by itself when Redis restarts.
///
/// Blocking commands (BLMOVE, BRPOP, XREAD BLOCK) would hold a pool thread for their whole wait:
/// run them on a ``RedisBlockingConnection``.
///
/// Call ``shutdown()`` when done: it waits for the commands in flight and closes the connections.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    public let poolSize: Int
    private let threads: NIOThreadPool
    private let pool: ConnectionPool

    public init(configuration: RedisConfiguration, poolSize: Int = 8, logger: Logger = Logger(label: "mimir.redis")) {
        var logger = logger
        logger[metadataKey: "redis.server"] = "\(configuration.serverName)"
        self.configuration = configuration
        self.poolSize = max(1, poolSize)
        self.threads = NIOThreadPool(numberOfThreads: self.poolSize)
        self.pool = ConnectionPool(configuration: configuration, logger: logger)
        // Idle threads cost nothing but memory; starting here means no call ever waits for a start.
        threads.start()
    }

    deinit {
        // A client dropped without `shutdown()` would otherwise leave its threads running forever.
        pool.shutDown()
        threads.shutdownGracefully { _ in }
    }

    /// Sends one command on a pooled connection.
    ///
    /// - Parameter retryOnStaleConnection: when a reused connection turns out dead (Redis restarted
    ///   since it was opened), send the command once more on a new connection. Only for commands
    ///   that are safe to run twice (GET, SET, HSET, …, not INCR or LPUSH): the first attempt may
    ///   have reached the server before the connection failed.
    public func execute(_ command: [String], retryOnStaleConnection: Bool = false) async throws(RedisError)
        -> RedisReply
    {
        let name = Self.commandName(command.first)
        return try await run(command: name, retryOnStaleConnection: retryOnStaleConnection) {
            connection throws(RedisError) in try connection.send(command)
        }
    }

    /// ``execute(_:retryOnStaleConnection:)-([String],_)`` with byte arguments.
    public func execute(_ command: [[UInt8]], retryOnStaleConnection: Bool = false) async throws(RedisError)
        -> RedisReply
    {
        let name = Self.commandName(command.first.map { String(decoding: $0.prefix(32), as: UTF8.self) })
        return try await run(command: name, retryOnStaleConnection: retryOnStaleConnection) {
            connection throws(RedisError) in try connection.send(command)
        }
    }

    /// Sends all commands in one round trip on one connection; see ``RedisConnection/pipeline(_:)-([[String]])``.
    /// A pipeline is not a transaction: other clients' commands may run between its commands.
    public func pipeline(_ commands: [[String]], retryOnStaleConnection: Bool = false) async throws(RedisError)
        -> [RedisReply]
    {
        let name = Self.commandName(commands.first?.first)
        return try await run(command: name, retryOnStaleConnection: retryOnStaleConnection) {
            connection throws(RedisError) in try connection.pipeline(commands)
        }
    }

    /// Runs `body` on a pool thread with a connection no one else uses meanwhile: for MULTI/EXEC,
    /// WATCH, or commands that depend on each other's replies.
    ///
    /// `body` blocks its thread while it runs, so keep it to Redis calls. A connection left inside
    /// MULTI, WATCHing, or on another database (`body` threw halfway, or sent SELECT) is closed
    /// rather than given to the next caller.
    public func withConnection<T: Sendable>(
        retryOnStaleConnection: Bool = false, _ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> T
    ) async throws(RedisError) -> T {
        try await run(command: nil, retryOnStaleConnection: retryOnStaleConnection, body)
    }

    /// Connections open now (idle, in use, or being opened); at most ``poolSize``.
    public var openConnections: Int { pool.openCount }

    /// The most connections that were ever open at once.
    public var peakOpenConnections: Int { pool.highWater }

    /// Waits for the commands in flight, fails those still queued, and closes every connection.
    /// Calls made afterwards fail with a `.connection` error.
    public func shutdown() async {
        pool.shutDown()
        try? await threads.shutdownGracefully()
        pool.shutDown()  // Connections given back by the commands that were in flight.
    }

    // MARK: - Implementation

    private func run<T: Sendable>(
        command: String?, retryOnStaleConnection: Bool,
        _ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> T
    ) async throws(RedisError) -> T {
        if let error = pool.failFastError(command: command) { throw error }
        let pool = self.pool
        do {
            return try await threads.runIfActive { () throws(RedisError) -> T in
                try pool.withConnection(command: command, retryOnStaleConnection: retryOnStaleConnection, body)
            }
        } catch let error as RedisError {
            throw error
        } catch {
            // NIO reports both a cancelled task and a shut-down pool as CancellationError.
            if pool.isShutDown {
                throw RedisError(
                    kind: .connection, server: configuration.serverName, command: command,
                    reason: "the Redis client has been shut down")
            }
            throw RedisError(
                kind: .cancelled, server: configuration.serverName, command: command,
                reason: "the calling task was cancelled before the command was sent")
        }
    }

    private static func commandName(_ first: String?) -> String {
        CommandArguments([first ?? ""]).name
    }
}
