import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The shared connection behind ``RedisClient``'s ordinary commands: opened on first use (by the
/// pool, on a pool thread, so connect timeouts, AUTH, SELECT and fail-fast work as for pooled
/// connections), replaced when it fails.
final class ConnectionMultiplexer: Sendable {
    private struct State {
        var current: MultiplexedConnection?
        var connecting: Task<MultiplexedConnection, any Error>?
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let configuration: RedisConfiguration
    private let pool: ConnectionPool
    private let threads: NIOThreadPool
    private let eventLoopGroup: any EventLoopGroup

    init(
        configuration: RedisConfiguration, pool: ConnectionPool, threads: NIOThreadPool,
        eventLoopGroup: any EventLoopGroup
    ) {
        self.configuration = configuration
        self.pool = pool
        self.threads = threads
        self.eventLoopGroup = eventLoopGroup
    }

    /// Commands that block the connection or change its session: never multiplexed.
    static func needsOwnConnection(_ name: String) -> Bool {
        switch name {
        case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "XREAD",
            "XREADGROUP", "WAIT", "WAITAOF", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "AUTH",
            "HELLO", "RESET", "QUIT", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
            "SUNSUBSCRIBE", "MONITOR", "READONLY", "READWRITE", "CLIENT", "SYNC", "PSYNC":
            return true
        default:
            return false
        }
    }

    /// Sends `commands` on the shared connection and returns their replies, error replies in place.
    func send(_ commands: [CommandArguments], retryOnStaleConnection: Bool) async throws(RedisError) -> [RedisReply] {
        let label = commands.first?.name ?? "(empty command)"
        if Task.isCancelled {
            throw RedisError(
                kind: .cancelled, server: configuration.serverName, command: label,
                reason: "the calling task was cancelled before the command was sent")
        }
        var staleRetried = false
        // A call that never reached the socket is sent again on the next connection; bounded, so a
        // server that drops every connection at once still gets an error through.
        for _ in 0..<3 {
            let (connection, isNew) = try await connection(command: label)
            do {
                return try await connection.send(commands)
            } catch is NotSent {
                continue  // After a shutdown, the next `connection(command:)` says so.
            } catch let error as RedisError {
                // The connection died under the call: the server restarted or dropped it. Safe to
                // repeat only for commands that may run twice.
                guard retryOnStaleConnection, !isNew, !staleRetried, error.kind == .connection else { throw error }
                staleRetried = true
                continue
            } catch {
                throw RedisError(kind: .protocol, server: configuration.serverName, command: label, reason: "\(error)")
            }
        }
        throw RedisError(
            kind: .connection, server: configuration.serverName, command: label,
            reason: "the connection to Redis closed before the command could be sent, three times in a row")
    }

    func shutDown() async {
        let (current, connecting) = state.withLock { state in
            state.isShutDown = true
            defer {
                state.current = nil
                state.connecting = nil
            }
            return (state.current, state.connecting)
        }
        connecting?.cancel()
        if let opened = try? await connecting?.value {
            await opened.close(reason: "the Redis client has been shut down")
        }
        await current?.close(reason: "the Redis client has been shut down")
    }

    // MARK: - Implementation

    private func connection(command: String) async throws(RedisError) -> (MultiplexedConnection, isNew: Bool) {
        enum Lookup {
            case open(MultiplexedConnection)
            case wait(Task<MultiplexedConnection, any Error>)
            case connect
            case shutDown
        }
        let lookup = state.withLock { state -> Lookup in
            if state.isShutDown { return .shutDown }
            if let current = state.current, current.isOpen { return .open(current) }
            if let connecting = state.connecting { return .wait(connecting) }
            return .connect
        }
        let task: Task<MultiplexedConnection, any Error>
        switch lookup {
        case .open(let connection):
            return (connection, false)
        case .shutDown:
            throw RedisError(
                kind: .connection, server: configuration.serverName, command: command,
                reason: "the Redis client has been shut down")
        case .wait(let connecting):
            task = connecting
        case .connect:
            if let error = pool.failFastError(command: command) { throw error }
            task = state.withLock { state in
                if let connecting = state.connecting { return connecting }
                let connecting = Task { try await self.open() }
                state.connecting = connecting
                return connecting
            }
        }
        do {
            return (try await task.value, true)
        } catch let error as RedisError {
            throw error.relabeled(command: command)
        } catch {
            throw RedisError(
                kind: .cancelled, server: configuration.serverName, command: command,
                reason: "the connect was abandoned: \(error)")
        }
    }

    /// Opens a connection and makes it the shared one.
    private func open() async throws(RedisError) -> MultiplexedConnection {
        let pool = self.pool
        let descriptor: CInt
        do {
            descriptor = try await threads.runIfActive { () throws(RedisError) -> CInt in
                let connection = try pool.checkOutForMultiplexing(command: "connect")
                do throws(RedisError) {
                    return try connection.detachSocket()
                } catch {
                    pool.releaseMultiplexed()
                    throw error
                }
            }
        } catch let error as RedisError {
            state.withLock { $0.connecting = nil }
            throw error
        } catch {
            state.withLock { $0.connecting = nil }
            throw RedisError(
                kind: .connection, server: configuration.serverName, command: "connect",
                reason: "the Redis client has been shut down")
        }
        do throws(RedisError) {
            let connection = try await MultiplexedConnection.adopt(
                descriptor: descriptor, configuration: configuration, eventLoop: eventLoopGroup.next()
            ) { [weak self] closed in
                self?.closed(closed)
            }
            state.withLock { state in
                state.current = connection
                state.connecting = nil
            }
            return connection
        } catch {
            // `adopt` has told `closed(_:)`, which gave the connection back to the pool's count.
            state.withLock { $0.connecting = nil }
            throw error
        }
    }

    private func closed(_ connection: MultiplexedConnection) {
        state.withLock { state in
            if state.current === connection { state.current = nil }
        }
        pool.releaseMultiplexed()
    }
}
