/// Where and how to connect to Redis.
///
/// The password is never part of ``description`` or of a mirror (`dump`, `print` of a containing
/// value), so a configuration can be logged as it is.
public struct RedisConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// A Redis 6+ ACL user; `nil` authenticates as `default` when a password is set.
    public var username: String?
    public var password: String?
    public var database: Int
    /// Bounds the TCP connect only: name resolution (getaddrinfo) is not covered by hiredis 0.14, so
    /// prefer an IP address or a name the local resolver answers quickly.
    public var connectTimeout: Duration
    /// Bounds every read and write on the socket, so it must exceed the server-side block of a
    /// blocking command (BLMOVE, BRPOP): see ``RedisBlockingConnection``.
    public var commandTimeout: Duration
    /// After a failed connect, calls that need a new connection fail at once for this long instead of
    /// each trying again: while Redis is down, callers get a fast error (an HTTP 503) rather than
    /// queueing behind connect attempts.
    public var failFastInterval: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(5),
        failFastInterval: Duration = .milliseconds(250)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.failFastInterval = failFastInterval
    }

    /// `host:port`, with brackets around an IPv6 address, as error messages and logs name the server.
    public var serverName: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Checks what hiredis would otherwise take in a surprising way (a zero timeout means "wait
    /// forever" for a socket timeout, and "fail at once" for the connect).
    func validate() throws(RedisError) {
        func fail(_ reason: String) -> RedisError {
            RedisError(kind: .configuration, server: serverName, command: "connect", reason: reason)
        }
        if host.isEmpty { throw fail("the host is empty") }
        if !(1...65_535).contains(port) { throw fail("the port must be from 1 to 65535") }
        if database < 0 { throw fail("the database number must not be negative") }
        if connectTimeout <= .zero { throw fail("connectTimeout must be positive") }
        if commandTimeout <= .zero { throw fail("commandTimeout must be positive") }
        if failFastInterval < .zero { throw fail("failFastInterval must not be negative") }
    }
}

extension RedisConfiguration: CustomStringConvertible, CustomReflectable {
    /// The configuration as a URL with the password masked.
    public var description: String {
        // A username without a password is never sent (AUTH needs both), so it is not shown either.
        let credentials = password == nil ? "" : "\(username.map(RedisURL.percentEncode) ?? ""):***@"
        return "redis://\(credentials)\(serverName)/\(database)"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "username": username as Any,
                "password": password == nil ? "nil" : "***", "database": database,
                "connectTimeout": connectTimeout, "commandTimeout": commandTimeout,
                "failFastInterval": failFastInterval,
            ],
            displayStyle: .struct)
    }
}
