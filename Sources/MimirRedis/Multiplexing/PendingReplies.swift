import NIOCore

/// One call (a command, or a pipeline of them) written to a multiplexed connection and waiting
/// for its replies, which arrive in the order the calls were written.
struct PendingReplies: Sendable {
    /// Each command's first word, for errors that name the command a reply was missing for.
    let names: [String]
    let continuation: UnsafeContinuation<[RedisReply], any Error>
    var replies: [RedisReply] = []
    /// When its first missing reply is overdue (`commandTimeout` after the write).
    var deadline: NIODeadline = .distantFuture

    init(names: [String], continuation: UnsafeContinuation<[RedisReply], any Error>) {
        self.names = names
        self.continuation = continuation
        replies.reserveCapacity(names.count)
    }

    var isComplete: Bool { replies.count == names.count }

    /// "GET", or "SET (command 1 of 3 in a pipeline)": the command whose reply is missing.
    var waitingFor: String {
        let index = min(replies.count, names.count - 1)
        return names.count == 1
            ? names[index] : "\(names[index]) (command \(index + 1) of \(names.count) in a pipeline)"
    }
}

/// A call and its encoded commands, queued until the event loop writes them.
struct OutgoingCall: Sendable {
    let bytes: ByteBuffer
    var pending: PendingReplies
}

/// The call never reached the socket (its connection closed first), so it can be sent again on
/// another connection whatever the command does.
struct NotSent: Error {
    let error: RedisError
}
