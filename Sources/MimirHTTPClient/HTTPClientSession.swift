import CCurl

extension HTTPClient {
    /// One curl easy handle kept across requests, so that requests to the same server reuse the
    /// open connection (HTTP keep-alive, no new TCP or TLS handshake): for a thread that talks to
    /// one server repeatedly, such as a worker's heartbeat and status reports. curl checks a kept
    /// connection is still alive before reusing it and, if the server closed it meanwhile, sends
    /// the request again on a new one.
    ///
    /// Not `Sendable`: use a session from one thread at a time. It is not safe to share it between
    /// tasks either, since a curl handle can run only one transfer at a time.
    public final class Session {
        public let client: HTTPClient
        private var handle: UnsafeMutableRawPointer?
        private let errorBuffer: UnsafeMutablePointer<CChar>

        public init(client: HTTPClient) {
            self.client = client
            errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
            errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        }

        deinit {
            if let handle { curl_easy_cleanup(handle) }
            errorBuffer.deallocate()
        }

        /// Sends `request` and waits for the whole response, blocking the calling thread.
        public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
            try send(request, cancellation: nil)
        }

        func send(_ request: HTTPRequest, cancellation: CancellationFlag?, sink: Int32? = nil)
            throws(HTTPClientError) -> HTTPResponse
        {
            if cancellation?.isCancelled == true {
                throw HTTPClientError(
                    kind: .cancelled,
                    message: ErrorMessage.make(
                        method: request.method, url: request.url, detail: "cancelled before sending"))
            }
            let transfer = CurlTransfer(
                handle: try easyHandle(for: request), errorBuffer: errorBuffer, request: request, client: client)
            return try transfer.perform(cancellation: cancellation, sink: sink)
        }

        /// Closes the kept connections; the next request opens a new one.
        public func reset() {
            if let handle { curl_easy_cleanup(handle) }
            handle = nil
        }

        private func easyHandle(for request: HTTPRequest) throws(HTTPClientError) -> UnsafeMutableRawPointer {
            if let handle { return handle }
            guard let created = CurlGlobal.makeEasyHandle() else {
                throw HTTPClientError(
                    kind: .other,
                    message: ErrorMessage.make(
                        method: request.method, url: request.url, detail: "libcurl failed to start"))
            }
            handle = created
            return created
        }
    }
}

@available(*, unavailable, message: "a Session owns one curl handle: use it from one thread")
extension HTTPClient.Session: Sendable {}
