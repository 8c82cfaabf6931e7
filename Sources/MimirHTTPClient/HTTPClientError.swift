/// Why no HTTP response arrived. HTTP error statuses are not errors: they are `HTTPResponse`s.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Hashable {
        /// No connection, or it broke: refused, DNS failure, reset, closed before the response.
        case connection
        /// `timeout` or `connectTimeout` passed.
        case timeout
        /// The TLS handshake failed: untrusted or mismatched certificate, unreadable CA or client files.
        case tls
        /// The request cannot be sent as given: malformed URL, a scheme other than http/https, a
        /// header with CR or LF, a non-positive timeout.
        case invalidRequest
        /// The response body exceeded the client's `maxResponseBytes`.
        case tooLarge
        /// The async caller's task was cancelled.
        case cancelled
        /// Anything else, too many redirects among them.
        case other
    }

    public let kind: Kind
    /// Method, URL (without user information, query or fragment) and what went wrong.
    public let message: String
    /// curl's `CURLcode`, when curl reported the failure.
    public let curlCode: Int?

    public init(kind: Kind, message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    /// Whether trying the same request again may succeed: connection failures and timeouts.
    /// (Whether a retry is safe—the request is idempotent—is the caller's call.)
    public var isTransient: Bool {
        kind == .connection || kind == .timeout
    }

    public var description: String {
        message
    }
}
