import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking hiredis connection: connected, authenticated and on the configured database when
/// `init` returns.
///
/// Not `Sendable`, on purpose: a hiredis context is plain mutable C state, so exactly one thread may
/// use it at a time. ``RedisClient`` hands its pooled connections to one pool thread at a time; a
/// caller that creates a connection itself keeps it on the thread that uses it (see
/// ``RedisBlockingConnection`` for blocking commands from async code).
public final class RedisConnection {
    public let configuration: RedisConfiguration
    /// Set by the first I/O, timeout or protocol error: hiredis leaves the context unusable then (the
    /// reply stream may be mid-reply), so every later call fails at once and the pool drops it.
    public private(set) var isBroken = false
    /// The socket read/write timeout in force; see ``setCommandTimeout(_:)``.
    public private(set) var commandTimeout: Duration

    private let context: UnsafeMutablePointer<redisContext>
    private var session = RedisSessionState()

    /// What broke the connection: the pool treats a dead socket (`.connection`) as a sign that the
    /// server went away, but a timeout as one slow command.
    private(set) var brokenBy: RedisError.Kind?

    /// Whether the pool may hand this connection to the next caller as it is.
    var isReusable: Bool { !isBroken && session.isPristine }

    public init(configuration: RedisConfiguration) throws(RedisError) {
        try configuration.validate()
        IgnoreSIGPIPE.once
        let server = configuration.serverName
        var savedErrno: Int32 = 0
        let connected = configuration.host.withCString { host in
            mimir_redis_connect(host, Int32(configuration.port), timeval(configuration.connectTimeout), &savedErrno)
        }
        guard let connected else {
            throw RedisError(
                kind: .connection, server: server, command: "connect", reason: "hiredis could not allocate a context")
        }
        if connected.pointee.err != 0 {
            let text = String(cString: mimir_redis_errstr(connected))
            redisFree(connected)
            if savedErrno == ETIMEDOUT {
                throw RedisError(
                    kind: .timeout, server: server, command: "connect",
                    reason: "no connection within \(configuration.connectTimeout) (connectTimeout)")
            }
            throw RedisError(kind: .connection, server: server, command: "connect", reason: "cannot connect: \(text)")
        }
        self.configuration = configuration
        self.context = connected
        self.commandTimeout = configuration.commandTimeout
        // From here on, a throw still runs deinit, which frees the context.

        // hiredis 0.14 opens its socket without close-on-exec: a child process the server spawns
        // would inherit it and keep the connection open after this side closes it.
        _ = fcntl(context.pointee.fd, F_SETFD, fcntl(context.pointee.fd, F_GETFD) | FD_CLOEXEC)
        try setCommandTimeout(configuration.commandTimeout)
        if redisEnableKeepAlive(context) != REDIS_OK {
            // Without keepalive a half-open connection (a vanished host) would go unnoticed in the pool.
            throw brokenConnection(command: "connect", reason: "cannot enable TCP keepalive")
        }
        if let password = configuration.password {
            var auth = ["AUTH"]
            if let username = configuration.username { auth.append(username) }
            auth.append(password)
            _ = try execute(CommandArguments(auth), trackingSession: false)
        }
        if configuration.database != 0 {
            _ = try execute(CommandArguments(["SELECT", String(configuration.database)]), trackingSession: false)
        }
    }

    deinit {
        redisFree(context)
    }

    /// Sends one command and waits for its reply. A top-level error reply is thrown as `.server`.
    public func send(_ command: [String]) throws(RedisError) -> RedisReply {
        try execute(CommandArguments(command), trackingSession: true)
    }

    /// Sends one command whose arguments are bytes (binary payloads, keys that are not UTF-8).
    public func send(_ command: [[UInt8]]) throws(RedisError) -> RedisReply {
        try execute(CommandArguments(command), trackingSession: true)
    }

    /// Sends all commands, then reads all replies: one round trip instead of one per command. Error
    /// replies come back as ``RedisReply/error(_:)`` in their place, so one failing command does not
    /// hide the results of the others; only I/O failures throw.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try pipeline(commands.map(CommandArguments.init))
    }

    /// ``pipeline(_:)-([[String]])`` with byte arguments.
    public func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        try pipeline(commands.map(CommandArguments.init))
    }

    /// Changes the socket timeout for the following commands, e.g. above a blocking command's own
    /// timeout, since a read that outlasts it breaks the connection.
    public func setCommandTimeout(_ timeout: Duration) throws(RedisError) {
        guard timeout > .zero else {
            throw RedisError(
                kind: .configuration, server: configuration.serverName, command: "connect",
                reason: "commandTimeout must be positive")
        }
        try ensureUsable(command: "connect")
        guard redisSetTimeout(context, timeval(timeout)) == REDIS_OK else {
            throw brokenConnection(command: "connect", reason: "cannot set the socket timeout")
        }
        commandTimeout = timeout
    }

    /// A duplicate of the connected, authenticated socket, close-on-exec, for an event loop to take
    /// over (``MultiplexedConnection``). This connection is unusable afterwards: two readers of one
    /// socket would steal each other's replies.
    func detachSocket() throws(RedisError) -> CInt {
        try ensureUsable(command: "connect")
        let duplicate = fcntl(context.pointee.fd, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else {
            throw brokenConnection(command: "connect", reason: "cannot duplicate the socket: errno \(errno)")
        }
        isBroken = true
        brokenBy = brokenBy ?? .configuration
        return duplicate
    }

    /// True when the server has closed this idle connection (Redis restarted, `CLIENT KILL`, idle
    /// timeout): its socket is readable although no reply is due. Lets the pool skip a dead
    /// connection before sending on it, instead of failing the caller.
    func peerHasClosed() -> Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    // MARK: - Implementation

    private func execute(_ arguments: CommandArguments, trackingSession: Bool) throws(RedisError) -> RedisReply {
        try ensureUsable(command: arguments.name)
        guard !arguments.isEmpty else {
            throw RedisError(
                kind: .configuration, server: configuration.serverName, command: nil, reason: "empty command")
        }
        var savedErrno: Int32 = 0
        let raw = arguments.withArgv { argc, argv, argvlen in
            mimir_redis_command_argv(context, argc, argv, argvlen, &savedErrno)
        }
        if trackingSession { session.note(arguments.name) }
        guard let raw = raw ?? nil else {
            throw ioFailure(command: arguments.name, savedErrno: savedErrno)
        }
        let reply = try decodeAndFree(raw, command: arguments.name)
        if case .error(let message) = reply {
            throw RedisError(
                kind: .server, server: configuration.serverName, command: arguments.name,
                reason: Self.withoutArguments(message))
        }
        return reply
    }

    private func pipeline(_ commands: [CommandArguments]) throws(RedisError) -> [RedisReply] {
        guard let first = commands.first else { return [] }
        try ensureUsable(command: first.name)
        if let empty = commands.firstIndex(where: \.isEmpty) {
            throw RedisError(
                kind: .configuration, server: configuration.serverName, command: nil,
                reason: "command \(empty + 1) of \(commands.count) in a pipeline is empty")
        }
        for command in commands {
            let status = command.withArgv { argc, argv, argvlen in
                redisAppendCommandArgv(context, argc, argv, argvlen)
            }
            guard status == REDIS_OK else {
                // Only an allocation failure gets here, but part of the pipeline is already buffered.
                throw brokenConnection(command: command.name, reason: "cannot buffer the pipeline (out of memory)")
            }
            session.note(command.name)
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for (index, command) in commands.enumerated() {
            let label = "\(command.name) (command \(index + 1) of \(commands.count) in a pipeline)"
            var savedErrno: Int32 = 0
            var raw: UnsafeMutableRawPointer?
            guard mimir_redis_get_reply(context, &raw, &savedErrno) == REDIS_OK, let raw else {
                throw ioFailure(command: label, savedErrno: savedErrno)
            }
            replies.append(try decodeAndFree(raw, command: label))
        }
        return replies
    }

    /// Redis quotes the start of the arguments in "unknown command" errors; they stay out of
    /// errors for the same reason commands are named by their first word only.
    static func withoutArguments(_ message: String) -> String {
        guard let quoted = message.firstRange(of: ", with args beginning with:") else { return message }
        return String(message[..<quoted.lowerBound])
    }

    private func ensureUsable(command: String) throws(RedisError) {
        if isBroken {
            throw RedisError(
                kind: .connection, server: configuration.serverName, command: command,
                reason: "the connection is unusable after an earlier I/O error; open a new one")
        }
    }

    private func decodeAndFree(_ raw: UnsafeMutableRawPointer, command: String) throws(RedisError) -> RedisReply {
        defer { freeReplyObject(raw) }
        do throws(ReplyDecodingError) {
            return try RedisReply(raw.assumingMemoryBound(to: redisReply.self))
        } catch {
            // The reply stream may now be out of step with the commands sent.
            throw brokenConnection(command: command, reason: error.reason, kind: .protocol)
        }
    }

    /// Classifies the error hiredis recorded in the context, which is unusable from now on.
    private func ioFailure(command: String, savedErrno: Int32) -> RedisError {
        let text = String(cString: mimir_redis_errstr(context))
        switch context.pointee.err {
        case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK:
            return brokenConnection(
                command: command, reason: "no reply within \(commandTimeout) (commandTimeout)", kind: .timeout)
        case REDIS_ERR_EOF:
            return brokenConnection(command: command, reason: "the server closed the connection")
        case REDIS_ERR_PROTOCOL:
            return brokenConnection(command: command, reason: "protocol error: \(text)", kind: .protocol)
        case REDIS_ERR_OOM:
            return brokenConnection(command: command, reason: "out of memory in hiredis", kind: .protocol)
        default:
            return brokenConnection(command: command, reason: text.isEmpty ? "I/O error" : "I/O error: \(text)")
        }
    }

    private func brokenConnection(command: String, reason: String, kind: RedisError.Kind = .connection)
        -> RedisError
    {
        isBroken = true
        brokenBy = brokenBy ?? kind
        return RedisError(kind: kind, server: configuration.serverName, command: command, reason: reason)
    }
}
