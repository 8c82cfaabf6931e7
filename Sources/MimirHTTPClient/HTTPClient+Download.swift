#if canImport(Glibc)
    import Glibc
#endif

extension HTTPClient {
    /// Sends `request` and writes the response body to the file at `path` (created or truncated)
    /// as it arrives, so a body of any size costs no memory; `maxResponseBytes` still caps it.
    /// Blocks the calling thread. The returned response has an empty `body`; whatever the status,
    /// the file holds what the server sent (the caller decides what a 404's body is worth), and on
    /// a thrown error the file is removed. `isCancelled` is polled about once a second and aborts
    /// the transfer with `.cancelled`.
    public func download(
        _ request: HTTPRequest, to path: String, isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(HTTPClientError) -> HTTPResponse {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw HTTPClientError(
                kind: .other,
                message: ErrorMessage.make(
                    method: request.method, url: request.url,
                    detail: "cannot open \(path) for the body: \(String(cString: strerror(errno)))"))
        }
        var closed = false
        defer { if !closed { close(descriptor) } }
        do throws(HTTPClientError) {
            let response = try Session(client: self).send(
                request, cancellation: CancellationFlag(poll: isCancelled), sink: descriptor)
            closed = true
            guard close(descriptor) == 0 else {
                throw HTTPClientError(
                    kind: .other,
                    message: ErrorMessage.make(
                        method: request.method, url: request.url,
                        detail: "writing \(path) failed: \(String(cString: strerror(errno)))"))
            }
            return response
        } catch {
            unlink(path)
            throw error
        }
    }
}
