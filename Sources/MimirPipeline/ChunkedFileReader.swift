#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file in large chunks into one reusable buffer. Parsers look at `bytes[start..<end]`,
/// mark what they consumed, and call `fill()` when a record straddles the end; unconsumed bytes
/// move to the front, so memory stays one buffer however large the file is.
final class ChunkedFileReader {
    static let chunkSize = 1 << 20
    /// A single record larger than this is treated as corrupt input (an unterminated quote,
    /// usually) rather than growing the buffer without bound.
    static let maximumBuffer = 256 << 20

    private let descriptor: Int32
    private(set) var storage: UnsafeMutableBufferPointer<UInt8>
    var start = 0
    private(set) var end = 0
    private(set) var isAtEOF = false
    private let onRead: (Int) -> Void

    init(path: String, onRead: @escaping (Int) -> Void) throws(FileFailure) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileFailure.fromErrno("cannot open \(path)") }
        storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Self.chunkSize)
        self.onRead = onRead
    }

    deinit {
        close(descriptor)
        storage.deallocate()
    }

    var available: Int { end - start }

    /// Reads more bytes after the unconsumed ones; false once the file is exhausted.
    @discardableResult
    func fill() throws(FileFailure) -> Bool {
        if isAtEOF { return false }
        if start > 0 {
            let remaining = end - start
            if remaining > 0, let base = storage.baseAddress {
                memmove(base, base + start, remaining)
            }
            start = 0
            end = remaining
        }
        if end == storage.count { try grow() }
        while true {
            let count = read(descriptor, storage.baseAddress.map { $0 + end }, storage.count - end)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileFailure.fromErrno("read failed")
            }
            if count == 0 {
                isAtEOF = true
                return false
            }
            end += count
            onRead(count)
            return true
        }
    }

    private func grow() throws(FileFailure) {
        let capacity = storage.count * 2
        guard capacity <= Self.maximumBuffer else {
            throw FileFailure.recordTooLarge(Self.maximumBuffer)
        }
        let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: capacity)
        _ = larger.initialize(from: storage[0..<end])
        storage.deallocate()
        storage = larger
    }

    /// The whole rest of the file, refusing files larger than `limit` bytes.
    func readAll(limit: Int) throws(FileFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        while try fill() || available > 0 {
            bytes.append(contentsOf: storage[start..<end])
            start = end
            if bytes.count > limit { throw FileFailure.tooLarge(limit) }
            if isAtEOF { break }
        }
        return bytes
    }

    static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }
}

enum FileFailure: Error, CustomStringConvertible {
    case system(String)
    case recordTooLarge(Int)
    case tooLarge(Int)

    static func fromErrno(_ what: String) -> FileFailure {
        .system("\(what): \(String(cString: strerror(errno)))")
    }

    var description: String {
        switch self {
        case .system(let message): message
        case .recordTooLarge(let limit): "a record is longer than \(limit >> 20) MiB (unterminated quote?)"
        case .tooLarge(let limit): "file is larger than max_bytes (\(limit) bytes); use JSON Lines for large data"
        }
    }
}
