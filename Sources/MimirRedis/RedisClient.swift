import Logging
import NIOCore
import NIOPosix

/// The Redis client servers share.
///
/// Ordinary commands (GET, HSET, FCALL, …) from every caller share one connection, driven by an
/// event loop: whatever calls arrive while a write is on its way go out together in the next one,
/// and replies are matched to callers in order (``MultiplexedConnection``). Under load that is one
/// system call for many commands and no thread hop per call, which is where a thread-per-call
/// client spent most of its time.
///
/// Commands that block the connection (BLPOP, XREAD, WAIT) or change its session (MULTI, WATCH,
/// SELECT, CLIENT), and every ``withConnection(retryOnStaleConnection:_:)`` body, run instead on a
/// pool of blocking hiredis connections, each used by one of this client's `poolSize` threads at a
/// time, never on NIO's shared pool (two threads on a two-core machine, which blocked Redis calls
/// would take from the HTTP server) nor on Swift's cooperative threads. The shared connection is
/// opened through that pool too, so both heal the same way when Redis restarts.
///
/// Long blocking commands still hold a pool thread for their whole wait: run them on a
/// ``RedisBlockingConnection``.
///
/// Call ``shutdown()`` when done: it waits for the commands in flight and closes the connections.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    public let poolSize: Int
    private let threads: NIOThreadPool
    private let pool: ConnectionPool
    private let multiplexer: ConnectionMultiplexer

    /// - Parameter eventLoopGroup: where the shared connection for ordinary commands does its I/O.
    public init(
        configuration: RedisConfiguration, poolSize: Int = 8, logger: Logger = Logger(label: "mimir.redis"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        var logger = logger
        logger[metadataKey: "redis.server"] = "\(configuration.serverName)"
        self.configuration = configuration
        self.poolSize = max(1, poolSize)
        self.threads = NIOThreadPool(numberOfThreads: self.poolSize)
        self.pool = ConnectionPool(configuration: configuration, logger: logger)
        self.multiplexer = ConnectionMultiplexer(
            configuration: configuration, pool: pool, threads: threads, eventLoopGroup: eventLoopGroup)
        // Idle threads cost nothing but memory; starting here means no call ever waits for a start.
        threads.start()
    }

    deinit {
        // A client dropped without `shutdown()` would otherwise leave its threads running forever.
        let multiplexer = self.multiplexer
        Task { await multiplexer.shutDown() }
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
        let arguments = CommandArguments(command)
        if Self.isMultiplexable(arguments) {
            return try await executeMultiplexed(arguments, retryOnStaleConnection: retryOnStaleConnection)
        }
        return try await run(command: arguments.name, retryOnStaleConnection: retryOnStaleConnection) {
            connection throws(RedisError) in try connection.send(command)
        }
    }

    /// ``execute(_:retryOnStaleConnection:)-([String],_)`` with byte arguments.
    public func execute(_ command: [[UInt8]], retryOnStaleConnection: Bool = false) async throws(RedisError)
        -> RedisReply
    {
        let arguments = CommandArguments(command)
        if Self.isMultiplexable(arguments) {
            return try await executeMultiplexed(arguments, retryOnStaleConnection: retryOnStaleConnection)
        }
        return try await run(command: arguments.name, retryOnStaleConnection: retryOnStaleConnection) {
            connection throws(RedisError) in try connection.send(command)
        }
    }

    /// Sends all commands in one round trip on one connection; see ``RedisConnection/pipeline(_:)-([[String]])``.
    /// A pipeline is not a transaction: other clients' commands may run between its commands.
    public func pipeline(_ commands: [[String]], retryOnStaleConnection: Bool = false) async throws(RedisError)
        -> [RedisReply]
    {
        let arguments = commands.map(CommandArguments.init)
        if !arguments.isEmpty, arguments.allSatisfy(Self.isMultiplexable) {
            return try await multiplexer.send(arguments, retryOnStaleConnection: retryOnStaleConnection)
        }
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
        await multiplexer.shutDown()
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

    private static func isMultiplexable(_ command: CommandArguments) -> Bool {
        !command.isEmpty && !ConnectionMultiplexer.needsOwnConnection(command.name)
    }

    /// One command on the shared connection; a top-level error reply is thrown, as on the pool.
    private func executeMultiplexed(_ command: CommandArguments, retryOnStaleConnection: Bool)
        async throws(RedisError) -> RedisReply
    {
        let replies = try await multiplexer.send([command], retryOnStaleConnection: retryOnStaleConnection)
        guard let reply = replies.first else {
            throw RedisError(
                kind: .protocol, server: configuration.serverName, command: command.name, reason: "no reply")
        }
        if case .error(let message) = reply {
            throw RedisError(
                kind: .server, server: configuration.serverName, command: command.name,
                reason: RedisConnection.withoutArguments(message))
        }
        return reply
    }

    private static func commandName(_ first: String?) -> String {
        CommandArguments([first ?? ""]).name
    }
}
