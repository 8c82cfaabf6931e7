import Logging
import Synchronization

/// The connections of one ``RedisClient``: created on demand, reused, dropped when broken.
///
/// Connections are only ever used on the client's pool threads, and each thread holds at most one at
/// a time, so the pool never grows past the number of threads. Nothing blocking happens under the
/// lock: a connect runs outside it, so one slow connect delays only its own caller.
final class ConnectionPool: Sendable {
    /// A connection on its way between the idle list and a pool thread.
    ///
    /// `@unchecked Sendable` because `RedisConnection` is deliberately not `Sendable`; moving it is
    /// safe because a `Pooled` is either in the idle list (owned by no thread, reachable only under
    /// the lock) or held by the single thread that took it out, until that thread gives it back.
    struct Pooled: @unchecked Sendable {
        let connection: RedisConnection
        /// The pool's generation when this connection was opened: older ones are not reused.
        let generation: Int
    }

    private struct State {
        var idle: [Pooled] = []
        /// Idle, in use, or being opened.
        var open = 0
        var highWater = 0
        /// Bumped when a connection dies: the server has probably gone away, so its siblings are
        /// probably dead too, and are replaced rather than each failing a caller.
        var generation = 0
        var lastConnectFailure: (at: ContinuousClock.Instant, error: RedisError)?
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let configuration: RedisConfiguration
    private let logger: Logger

    init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    var openCount: Int { state.withLock { $0.open } }
    var highWater: Int { state.withLock { $0.highWater } }
    var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// The error to throw right away, without queueing for a thread, when a call would need a new
    /// connection and the last connect failed less than `failFastInterval` ago.
    func failFastError(command: String?) -> RedisError? {
        state.withLock { state in
            state.idle.isEmpty ? recentFailure(in: state, command: command) : nil
        }
    }

    /// Runs `body` with a connection of its own, on the calling (pool) thread.
    func withConnection<T>(
        command: String?, retryOnStaleConnection: Bool, _ body: (RedisConnection) throws(RedisError) -> T
    ) throws(RedisError) -> T {
        let (pooled, reused) = try checkOut(command: command)
        do throws(RedisError) {
            let result = try body(pooled.connection)
            checkIn(pooled)
            return result
        } catch {
            checkIn(pooled)
            guard retryOnStaleConnection, reused, error.kind == .connection, pooled.connection.isBroken else {
                throw error
            }
            logger.debug(
                "Redis connection failed on reuse; retrying once on a new connection",
                metadata: ["redis.command": "\(command ?? "-")", "redis.error": "\(error.reason)"])
            let fresh = try openConnection(command: command)
            do throws(RedisError) {
                let result = try body(fresh.connection)
                checkIn(fresh)
                return result
            } catch {
                checkIn(fresh)
                throw error
            }
        }
    }

    /// A connection for a ``MultiplexedConnection`` to take over, on the calling (pool) thread: an
    /// idle one, or a new one. It counts as open until ``releaseMultiplexed()``.
    func checkOutForMultiplexing(command: String?) throws(RedisError) -> RedisConnection {
        try checkOut(command: command).0.connection
    }

    /// The multiplexed connection taken out by ``checkOutForMultiplexing(command:)`` has closed.
    func releaseMultiplexed() {
        state.withLock { $0.open -= 1 }
    }

    /// Refuses new work and closes the idle connections; connections in use close when given back.
    func shutDown() {
        let closing = state.withLock { state in
            state.isShutDown = true
            let idle = state.idle
            state.open -= idle.count
            state.idle.removeAll()
            return idle
        }
        _ = closing  // Released here, outside the lock: `deinit` closes each socket.
    }

    // MARK: - Implementation

    private func checkOut(command: String?) throws(RedisError) -> (Pooled, reused: Bool) {
        while true {
            let taken: Result<Pooled?, RedisError> = state.withLock { state in
                if state.isShutDown { return .failure(shutDownError(command: command)) }
                if let pooled = state.idle.popLast() { return .success(pooled) }
                if let error = recentFailure(in: state, command: command) { return .failure(error) }
                return .success(nil)
            }
            guard let pooled = try taken.get() else {
                return (try openConnection(command: command), false)
            }
            if pooled.connection.peerHasClosed() {
                logger.debug("Dropping an idle Redis connection the server has closed")
                discard(pooled, serverWentAway: true)
                continue
            }
            return (pooled, true)
        }
    }

    private func openConnection(command: String?) throws(RedisError) -> Pooled {
        let generation = state.withLock { state in
            state.open += 1
            state.highWater = max(state.highWater, state.open)
            return state.generation
        }
        do throws(RedisError) {
            let connection = try RedisConnection(configuration: configuration)
            let recovered = state.withLock { state in
                defer { state.lastConnectFailure = nil }
                return state.lastConnectFailure != nil
            }
            if recovered {
                logger.info("Connected to Redis again", metadata: ["redis.server": "\(configuration.serverName)"])
            }
            return Pooled(connection: connection, generation: generation)
        } catch {
            let firstFailure = state.withLock { state in
                state.open -= 1
                defer { state.lastConnectFailure = (ContinuousClock.now, error) }
                return state.lastConnectFailure == nil
            }
            if firstFailure {
                logger.warning("Cannot connect to Redis", metadata: ["redis.error": "\(error)"])
            }
            throw error.relabeled(command: command)
        }
    }

    private func checkIn(_ pooled: Pooled) {
        guard pooled.connection.isReusable else {
            discard(pooled, serverWentAway: pooled.connection.brokenBy == .connection)
            return
        }
        let stale: Pooled? = state.withLock { state in
            guard !state.isShutDown, pooled.generation == state.generation else {
                state.open -= 1
                return pooled
            }
            state.idle.append(pooled)
            return nil
        }
        _ = stale  // Released outside the lock.
    }

    /// Closes `pooled`; when it died of a connection problem (not a timeout: that is one slow
    /// command), also closes the idle connections opened before it.
    private func discard(_ pooled: Pooled, serverWentAway: Bool) {
        let closing: [Pooled] = state.withLock { state in
            state.open -= 1
            guard serverWentAway, pooled.generation == state.generation else { return [] }
            state.generation += 1
            let idle = state.idle
            state.open -= idle.count
            state.idle.removeAll()
            return idle
        }
        _ = closing  // Released outside the lock.
    }

    private func recentFailure(in state: State, command: String?) -> RedisError? {
        guard let failure = state.lastConnectFailure else { return nil }
        let age = ContinuousClock.now - failure.at
        guard age < configuration.failFastInterval else { return nil }
        let milliseconds = age.components.seconds * 1000 + age.components.attoseconds / 1_000_000_000_000_000
        let error = failure.error.relabeled(command: command)
        return RedisError(
            kind: error.kind, server: error.server, command: error.command,
            reason: "\(error.reason) (not retried: the last connect attempt failed \(milliseconds) ms ago)")
    }

    private func shutDownError(command: String?) -> RedisError {
        RedisError(
            kind: .connection, server: configuration.serverName, command: command,
            reason: "the Redis client has been shut down")
    }
}
