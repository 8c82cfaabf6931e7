import MimirCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Length-prefixed frames over a pipe, between a worker and its executor processes: a 4-byte
/// big-endian length, then that many bytes of one `ExecutorMessage`. Messages are small except an
/// outcome carrying a large result, hence the generous cap.
///
/// Reads are buffered: one `read(2)` usually brings a frame's length and body together, and the
/// frames a child wrote in a burst (log lines, then the outcome); reading the length and the body
/// apart was two system calls per frame. A channel has one reader at a time (the child's serving
/// or cancel thread, the slot that checked the process out); the lock only makes that safe to
/// hand over.
final class FrameChannel: Sendable {
    /// Larger frames are refused: a corrupt length from a confused child must not make the worker
    /// allocate gigabytes.
    static let maximumFrameBytes = 256 << 20
    /// What one read asks for; a larger frame grows the buffer until it is read.
    static let bufferBytes = 64 << 10

    let descriptor: Int32
    private let received = Mutex(ReceiveBuffer())

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    enum ReadResult: Sendable {
        case message(ExecutorMessage)
        /// Nothing arrived within the timeout.
        case idle
        /// The other end closed the pipe (or died).
        case closed
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes one message's frame, whole. Throws when the reader is gone (EPIPE; SIGPIPE must be
    /// ignored).
    func send(_ message: ExecutorMessage) throws(Failure) {
        try send([message])
    }

    /// Writes the messages' frames, in one write when they fit the pipe.
    func send(_ messages: [ExecutorMessage]) throws(Failure) {
        var bytes: [UInt8] = []
        for message in messages {
            let frame = message.frame
            guard frame.count - 4 <= Self.maximumFrameBytes else {
                throw Failure(
                    description: "message of \(frame.count - 4) bytes exceeds the \(Self.maximumFrameBytes)-byte limit")
            }
            if bytes.isEmpty { bytes = frame } else { bytes += frame }
        }
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

    /// Waits up to `timeout` for a message, then reads it whole.
    func read(timeout: Duration) throws(Failure) -> ReadResult {
        if received.withLock({ $0.holdsWholeFrame }) { return try read() }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.milliseconds)
        let ready = poll(&poller, 1, milliseconds)
        if ready == 0 { return .idle }
        if ready < 0 { return errno == EINTR ? .idle : .closed }
        return try read()
    }

    /// Blocks until a whole message arrives or the pipe closes.
    func read() throws(Failure) -> ReadResult {
        try received.withLock { (buffer) throws(Failure) -> ReadResult in
            while true {
                if let message = try buffer.nextMessage() { return .message(message) }
                guard try buffer.fill(from: descriptor) else { return .closed }
            }
        }
    }
}

/// Bytes read from a pipe and not yet made into messages: `storage[start..<end]`.
private struct ReceiveBuffer {
    var storage = [UInt8](repeating: 0, count: FrameChannel.bufferBytes)
    var start = 0
    var end = 0

    private var bodyLength: Int? {
        guard end - start >= 4 else { return nil }
        return Int(storage[start]) << 24 | Int(storage[start + 1]) << 16 | Int(storage[start + 2]) << 8
            | Int(storage[start + 3])
    }

    var holdsWholeFrame: Bool {
        guard let length = bodyLength else { return false }
        return end - start >= 4 + length
    }

    /// The next message when its frame is here whole, else `nil` with room made for the rest.
    mutating func nextMessage() throws(FrameChannel.Failure) -> ExecutorMessage? {
        guard let length = bodyLength else { return nil }
        guard length <= FrameChannel.maximumFrameBytes else {
            throw FrameChannel.Failure(
                description: "frame of \(length) bytes exceeds the \(FrameChannel.maximumFrameBytes)-byte limit")
        }
        guard end - start >= 4 + length else {
            if 4 + length > storage.count - start {
                moveToFront()
                if 4 + length > storage.count {
                    storage.append(contentsOf: repeatElement(0, count: 4 + length - storage.count))
                }
            }
            return nil
        }
        let bodyStart = start + 4
        let decoded = storage.withUnsafeBytes { raw in
            Result { () throws(FrameChannel.Failure) in
                try ExecutorMessage(frameBody: UnsafeRawBufferPointer(rebasing: raw[bodyStart..<bodyStart + length]))
            }
        }
        start += 4 + length
        if start == end {
            start = 0
            end = 0
            // A large frame's room is not kept for the small ones after it.
            if storage.count > FrameChannel.bufferBytes {
                storage = [UInt8](repeating: 0, count: FrameChannel.bufferBytes)
            }
        }
        return try decoded.get()
    }

    /// Reads what the pipe has, up to the room left. `false` at end of file (or a reset pipe).
    mutating func fill(from descriptor: Int32) throws(FrameChannel.Failure) -> Bool {
        if end == storage.count { moveToFront() }
        while true {
            let count = storage.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(descriptor, base + end, buffer.count - end)
            }
            if count > 0 {
                end += count
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if errno == EPIPE || errno == ECONNRESET { return false }
            throw FrameChannel.Failure(description: "read: \(String(cString: strerror(errno)))")
        }
    }

    private mutating func moveToFront() {
        guard start > 0 else { return }
        let (from, count) = (start, end - start)
        storage.withUnsafeMutableBytes { buffer in
            if count > 0, let base = buffer.baseAddress { memmove(base, base + from, count) }
        }
        start = 0
        end = count
    }
}
