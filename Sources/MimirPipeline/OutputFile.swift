#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A buffered output file written under a temporary name and renamed into place on `commit`,
/// so a failed or cancelled run never leaves a truncated file where a good one is expected.
final class OutputFile {
    let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private(set) var bytesWritten: Int64 = 0
    private static let flushThreshold = 1 << 20

    init(path: String) throws(FileFailure) {
        self.path = path
        temporaryPath = "\(path).partial-\(getpid())"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileFailure.fromErrno("cannot create \(temporaryPath)") }
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        buffer.append(byte)
    }

    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// Writes the buffer out once it is large; call after each row.
    func flushIfNeeded() throws(FileFailure) {
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    func flush() throws(FileFailure) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileFailure.fromErrno("cannot write \(path)")
            }
            offset += written
        }
        bytesWritten += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws(FileFailure) {
        try flush()
        guard close(descriptor) == 0 else { throw FileFailure.fromErrno("cannot close \(path)") }
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            let failure = FileFailure.fromErrno("cannot move the output into place at \(path)")
            unlink(temporaryPath)
            throw failure
        }
    }
}
