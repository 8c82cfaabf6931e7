import NIOCore

/// The channel handler of a ``MultiplexedConnection``: writes queued calls in batches and hands
/// each reply to the call waiting at the head of the line.
///
/// Everything here runs on the channel's event loop. One timer covers every call in flight: it is
/// set for the oldest call's deadline and, when it fires for a call already answered, moves on to
/// the next oldest, so a busy connection costs no timer per command.
final class MultiplexHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let connection: MultiplexedConnection
    private let reader: ReplyReader
    private var inFlight = CircularBuffer<PendingReplies>(initialCapacity: 64)
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var closed = false

    init(connection: MultiplexedConnection) throws(ReplyReader.Failure) {
        self.connection = connection
        self.reader = try ReplyReader()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection.attach(NIOLoopBound(self, eventLoop: context.eventLoop))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(connection.error(.connection, "the connection was closed"))
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(connection.error(.connection, "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(connection.error(.connection, "I/O error: \(error)"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closed else { return }
        do throws(ReplyReader.Failure) {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() {
                guard var head = inFlight.popFirst() else {
                    fail(connection.error(.protocol, "a reply arrived that no command was waiting for"))
                    return
                }
                head.replies.append(reply)
                if head.isComplete {
                    head.continuation.resume(returning: head.replies)
                } else {
                    inFlight.prepend(head)
                }
            }
        } catch {
            fail(connection.error(.protocol, error.reason))
        }
    }

    /// Writes every call queued since the last drain, with one flush.
    func drain() {
        let calls = connection.takeQueued()
        guard !calls.isEmpty else { return }
        guard let context, !closed else {
            let error = connection.error(.connection, "the connection was closed")
            for call in calls { call.pending.continuation.resume(throwing: NotSent(error: error)) }
            return
        }
        let deadline = NIODeadline.now() + TimeAmount(connection.commandTimeout)
        for var call in calls {
            call.pending.deadline = deadline
            inFlight.append(call.pending)
            context.write(Self.wrapOutboundOut(call.bytes), promise: nil)
        }
        context.flush()
        armTimer()
    }

    /// Closes the connection, failing every call in flight; `reason` is what callers are told.
    func close(_ error: RedisError) {
        fail(error)
    }

    // MARK: - Implementation

    private func armTimer() {
        guard timer == nil, let context, let oldest = inFlight.first else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: oldest.deadline) { [self] in
            timer = nil
            checkDeadline()
        }
    }

    private func checkDeadline() {
        guard let oldest = inFlight.first else { return }
        guard oldest.deadline <= .now() else {
            armTimer()
            return
        }
        fail(
            connection.error(.timeout, "no reply within \(connection.commandTimeout) (commandTimeout)"),
            laterCalls: connection.error(
                .connection, "the connection was closed: an earlier command got no reply within its commandTimeout"))
    }

    /// Fails the oldest call with `error` and the others with `laterCalls` (or `error`), then closes.
    /// The owner learns of the close first, so callers told of the failure already see it gone.
    private func fail(_ error: RedisError, laterCalls: RedisError? = nil) {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        timer = nil
        let queued = connection.markClosed(error)
        var first = true
        while let call = inFlight.popFirst() {
            let reason = first ? error : (laterCalls ?? error)
            first = false
            call.continuation.resume(throwing: reason.naming(call.waitingFor))
        }
        let notSent = NotSent(error: error)
        for call in queued { call.pending.continuation.resume(throwing: notSent) }
        context?.close(promise: nil)
    }
}
