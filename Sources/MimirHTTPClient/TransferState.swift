/// What curl's callbacks collect during one transfer. Kept alive by the transfer for its duration;
/// the callbacks run on the thread running `curl_easy_perform`.
final class TransferState {
    /// Response headers beyond this many bytes (over all responses of the exchange) abort it.
    static let headerLimit = 1 << 20

    let bodyLimit: Int
    let cancellation: CancellationFlag?
    /// A file descriptor the body is written to instead of `body` (downloads).
    let sink: Int32?
    var body: [UInt8] = []
    /// Body bytes received, kept in `body` or written to `sink`.
    var bodyCount = 0
    /// The `errno` of a failed write to `sink`.
    var sinkError: Int32?
    var headers: [(String, String)] = []
    var headerBytes = 0
    var exceededBodyLimit = false
    var exceededHeaderLimit = false
    var wasCancelled = false

    init(bodyLimit: Int, cancellation: CancellationFlag?, sink: Int32? = nil) {
        self.bodyLimit = bodyLimit
        self.cancellation = cancellation
        self.sink = sink
    }

    /// One header line as curl delivers it, CRLF included. A status line starts a new response
    /// (after a 1xx or a followed redirect), so it clears what the previous one sent.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        guard end > 0 else { return }
        let content = UnsafeRawBufferPointer(rebasing: line[..<end])
        if content.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return
        }
        if content[0] == 0x20 || content[0] == 0x09 {
            // An obsolete folded continuation of the previous field's value.
            guard let last = headers.popLast() else { return }
            headers.append((last.0, last.1 + " " + Self.trimmed(content[...])))
            return
        }
        guard let colon = content.firstIndex(of: 0x3A) else { return }
        let name = Self.trimmed(content[..<colon])
        let value = Self.trimmed(content[(colon + 1)...])
        headers.append((name, value))
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        var slice = bytes[...]
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
