import NIOCore
import NIOPosix
import Synchronization

/// One Redis connection shared by every caller at once: calls are queued, written in batches by the
/// event loop (one `writev` for all the calls that arrived meanwhile), and matched to their replies
/// in order. This is pipelining across callers, so a busy server needs one connection and no thread
/// per call.
///
/// Only commands that leave the session as it was and answer at once belong here: a blocking
/// command (BLPOP) would hold every caller behind it, and MULTI or SELECT would change the session
/// under them. ``RedisClient`` sends those on its pool of blocking connections instead.
final class MultiplexedConnection: Sendable {
    private struct State {
        var queued: [OutgoingCall] = []
        var drainScheduled = false
        var handler: NIOLoopBound<MultiplexHandler>?
        var closedBy: RedisError?
        var ownerTold = false
    }

    let server: String
    let commandTimeout: Duration
    private let eventLoop: any EventLoop
    private let state = Mutex(State())
    private let onClose: @Sendable (MultiplexedConnection) -> Void
    private let channel = Mutex<(any Channel)?>(nil)

    private init(
        server: String, commandTimeout: Duration, eventLoop: any EventLoop,
        onClose: @escaping @Sendable (MultiplexedConnection) -> Void
    ) {
        self.server = server
        self.commandTimeout = commandTimeout
        self.eventLoop = eventLoop
        self.onClose = onClose
    }

    /// Takes over `descriptor`, a socket already connected and authenticated (see
    /// ``RedisConnection/detachSocket()``); closes it if that fails.
    static func adopt(
        descriptor: CInt, configuration: RedisConfiguration, eventLoop: any EventLoop,
        onClose: @escaping @Sendable (MultiplexedConnection) -> Void
    ) async throws(RedisError) -> MultiplexedConnection {
        let connection = MultiplexedConnection(
            server: configuration.serverName, commandTimeout: configuration.commandTimeout, eventLoop: eventLoop,
            onClose: onClose)
        do {
            let channel = try await ClientBootstrap(group: eventLoop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(MultiplexHandler(connection: connection))
                    }
                }
                .withConnectedSocket(descriptor)
                .get()
            connection.channel.withLock { $0 = channel }
            return connection
        } catch {
            let failure = connection.error(.connection, "cannot hand the connection to the event loop: \(error)")
            _ = connection.markClosed(failure)
            throw failure
        }
    }

    /// False once the connection has failed or been closed: callers then need a new one.
    var isOpen: Bool { state.withLock { $0.closedBy == nil } }

    /// Sends `commands` and waits for their replies, error replies in their place.
    ///
    /// Throws ``NotSent`` when the connection closed before the commands were written (safe to
    /// send again elsewhere) and ``RedisError`` otherwise.
    func send(_ commands: [CommandArguments]) async throws -> [RedisReply] {
        var bytes = ByteBufferAllocator().buffer(capacity: commands.reduce(0) { $0 + $1.respByteCount })
        for command in commands { command.writeRESP(into: &bytes) }
        let names = commands.map(\.name)
        return try await withUnsafeThrowingContinuation { continuation in
            let call = OutgoingCall(bytes: bytes, pending: PendingReplies(names: names, continuation: continuation))
            enum Admission {
                case queued
                case queuedFirst(NIOLoopBound<MultiplexHandler>?)
                case refused(RedisError)
            }
            let admission = state.withLock { state -> Admission in
                if let error = state.closedBy { return .refused(error) }
                state.queued.append(call)
                guard !state.drainScheduled else { return .queued }
                state.drainScheduled = true
                return .queuedFirst(state.handler)
            }
            switch admission {
            case .queued:
                break
            case .queuedFirst(let handler):
                // The handler is attached before `adopt` returns, so it is always there.
                eventLoop.execute { handler?.value.drain() }
            case .refused(let error):
                continuation.resume(throwing: NotSent(error: error))
            }
        }
    }

    /// Closes the connection; calls in flight fail with `reason`.
    func close(reason: String) async {
        let handler = state.withLock { $0.handler }
        let error = error(.connection, reason)
        guard let handler else { return }
        try? await eventLoop.submit { handler.value.close(error) }.get()
        let channel = self.channel.withLock { $0 }
        try? await channel?.closeFuture.get()
    }

    // MARK: - For the handler

    func attach(_ handler: NIOLoopBound<MultiplexHandler>) {
        state.withLock { $0.handler = handler }
    }

    func takeQueued() -> [OutgoingCall] {
        state.withLock { state in
            state.drainScheduled = false
            let taken = state.queued
            state.queued = []
            return taken
        }
    }

    /// Refuses further calls and tells the owner, then returns the calls never written.
    func markClosed(_ error: RedisError) -> [OutgoingCall] {
        let (queued, tellOwner) = state.withLock { state in
            state.closedBy = state.closedBy ?? error
            state.handler = nil
            let taken = state.queued
            state.queued = []
            defer { state.ownerTold = true }
            return (taken, !state.ownerTold)
        }
        if tellOwner { onClose(self) }
        return queued
    }

    func error(_ kind: RedisError.Kind, _ reason: String) -> RedisError {
        RedisError(kind: kind, server: server, command: nil, reason: reason)
    }
}
