import MimirCore

#if canImport(Glibc)
    import Glibc
#endif

/// Length-prefixed JSON frames over a pipe, between a worker and its executor processes: a
/// 4-byte big-endian length, then that many bytes of JSON. A frame is one message; messages are
/// small except an outcome carrying a large result, hence the generous cap.
struct FrameChannel: Sendable {
    /// Larger frames are refused: a corrupt length from a confused child must not make the worker
    /// allocate gigabytes.
    static let maximumFrameBytes = 256 << 20

    let descriptor: Int32

    enum ReadResult {
        case frame(JSONValue)
        /// Nothing arrived within the timeout.
        case idle
        /// The other end closed the pipe (or died).
        case closed
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes one frame, whole. Throws when the reader is gone (EPIPE; SIGPIPE must be ignored).
    func write(_ message: JSONValue) throws(Failure) {
        let body = message.jsonBytes()
        guard body.count <= Self.maximumFrameBytes else {
            throw Failure(
                description: "message of \(body.count) bytes exceeds the \(Self.maximumFrameBytes)-byte limit")
        }
        let length = UInt32(body.count)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + body.count)
        bytes.append(contentsOf: [
            UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff),
        ])
        bytes.append(contentsOf: body)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(descriptor, base + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Waits up to `timeout` for a frame, then reads it whole.
    func read(timeout: Duration) throws(Failure) -> ReadResult {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let ready = poll(&poller, 1, milliseconds)
        if ready == 0 { return .idle }
        if ready < 0 { return errno == EINTR ? .idle : .closed }
        return try read()
    }

    /// Blocks until a whole frame arrives or the pipe closes.
    func read() throws(Failure) -> ReadResult {
        guard let header = try readExactly(4) else { return .closed }
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard length <= Self.maximumFrameBytes else {
            throw Failure(description: "frame of \(length) bytes exceeds the \(Self.maximumFrameBytes)-byte limit")
        }
        guard let body = try readExactly(length) else { return .closed }
        do {
            return .frame(try JSONValue.parse(body))
        } catch {
            throw Failure(description: "frame is not JSON: \(error)")
        }
    }

    /// `nil` when the pipe closes first.
    private func readExactly(_ count: Int) throws(Failure) -> [UInt8]? {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = bytes.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(descriptor, base + offset, count - offset)
            }
            if received == 0 { return nil }
            if received < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { return nil }
                throw Failure(description: "read: \(String(cString: strerror(errno)))")
            }
            offset += received
        }
        return bytes
    }
}
