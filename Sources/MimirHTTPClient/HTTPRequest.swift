/// One HTTP request: what to send, where, and how long to wait for it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// An absolute `http` or `https` URL. `user:password@` in it becomes basic authentication and
    /// never appears in error messages.
    public var url: String
    /// Header fields in the order they are sent. Names and values may not contain CR or LF. An
    /// empty value sends the header with no value.
    public var headers: [(String, String)]
    /// The request body, sent with a `Content-Length` (never chunked, never `Expect: 100-continue`).
    /// `nil` sends no body; POST, PUT and PATCH then send `Content-Length: 0`.
    public var body: [UInt8]?
    /// The limit for the whole exchange, connecting included. Must be positive.
    public var timeout: Duration
    /// The limit for connecting (DNS, TCP and TLS handshake). Must be positive.
    public var connectTimeout: Duration
    /// Whether to follow 3xx responses with a `Location` (at most five). When `false` (the default)
    /// a redirect is returned as a response like any other. curl drops `Authorization` and `Cookie`
    /// headers when a redirect leads to another host.
    public var followRedirects: Bool

    public init(
        method: HTTPMethod = .get, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(5), followRedirects: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.followRedirects = followRedirects
    }

    /// The value of the first header named `name` (compared case-insensitively), if any.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.equal($0.0, name) }?.1
    }
}
