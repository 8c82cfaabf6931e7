#if canImport(Glibc)
    import Glibc
#endif

/// Unbuffered writes to the standard streams (the C `stderr` global is not concurrency-safe).
public enum Terminal {
    public static func writeError(_ text: String) {
        write(fileDescriptor: 2, text)
    }

    public static func writeOutput(_ text: String) {
        write(fileDescriptor: 1, text)
    }

    public static var standardErrorIsTerminal: Bool { isatty(2) != 0 }

    private static func write(fileDescriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fileDescriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
