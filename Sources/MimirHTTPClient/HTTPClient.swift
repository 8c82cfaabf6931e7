import MimirCore

/// Outgoing HTTP/1.1 and HTTP/2 over libcurl: a value holding the settings shared by every
/// request (TLS trust, response size cap, User-Agent); it holds no connections itself.
///
/// - `send(_:)` (blocking) uses a new curl handle, hence a new connection, per call: it keeps no
///   hidden per-thread state and works from any thread. Keep a `Session` to reuse a connection.
/// - `send(_:) async` runs the exchange on a thread of a small private pool (never on the Swift
///   cooperative pool, whose few threads a blocking call would starve). Each pool thread keeps a
///   `Session` per client, so async requests reuse connections too.
public struct HTTPClient: Sendable, Hashable {
    public let tls: TLSOptions
    /// Responses with a larger body fail with `.tooLarge` (checked against `Content-Length`
    /// before reading, and while reading otherwise).
    public let maxResponseBytes: Int
    public let userAgent: String

    public init(
        tls: TLSOptions = .init(), maxResponseBytes: Int = 64 << 20,
        userAgent: String = "mimir/\(MimirVersion.current)"
    ) {
        self.tls = tls
        self.maxResponseBytes = max(0, maxResponseBytes)
        self.userAgent = userAgent
    }

    /// A session for one thread's repeated requests, reusing its connection.
    public func makeSession() -> Session {
        Session(client: self)
    }

    /// Sends `request` and waits for the whole response, blocking the calling thread. Do not call
    /// it from Swift concurrency tasks: use the `async` overload there.
    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        try Session(client: self).send(request)
    }

    /// Sends `request` from a thread of the library's private pool and suspends until the response
    /// is complete. Cancelling the task aborts the exchange within about a second (curl checks
    /// between reads) with `.cancelled`.
    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        try await send(request, on: .shared)
    }

    func send(_ request: HTTPRequest, on pool: BlockingThreadPool) async throws(HTTPClientError) -> HTTPResponse {
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>) in
                pool.submit { sessions in
                    let session = sessions.session(for: self)
                    let result = Result { () throws(HTTPClientError) in
                        try session.send(request, cancellation: cancellation)
                    }
                    return { continuation.resume(returning: result) }
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}
