#if canImport(Glibc)
    import Glibc
#endif

/// Whole-file reads for inputs known to be small (job documents, observation batches, pipeline
/// definitions); large data goes through the streaming readers instead.
public enum LocalFile {
    /// Files larger than this are refused rather than read into memory.
    public static let maximumBytes = 256 << 20

    public static func readText(_ path: String) throws(StorageError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StorageError(reference: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StorageError(reference: path, reason: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= maximumBytes else {
                throw StorageError(reference: path, reason: "larger than \(maximumBytes >> 20) MiB")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StorageError(reference: path, reason: "not UTF-8 text")
        }
        return text
    }
}
