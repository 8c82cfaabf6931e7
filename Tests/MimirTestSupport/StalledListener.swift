#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback port where a TCP connect hangs, as with a host that drops packets: a listening socket
/// whose accept queue (backlog 0) is filled by one connection nobody accepts, so the kernel drops
/// further SYNs. Loopback only, so tests of connect timeouts send nothing off the machine.
public final class StalledListener: Sendable {
    public let port: Int
    private let listener: Int32
    private let filler: Int32

    public init() throws(FreePort.Failure) {
        #if canImport(Glibc)
            let streamType = Int32(SOCK_STREAM.rawValue)
        #else
            let streamType = SOCK_STREAM
        #endif
        let listener = socket(AF_INET, streamType, 0)
        let filler = socket(AF_INET, streamType, 0)
        guard listener >= 0, filler >= 0 else {
            Self.closeAll(listener, filler)
            throw FreePort.Failure(description: "socket() failed: errno \(errno)")
        }
        var address = FreePort.loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard listening else {
            Self.closeAll(listener, filler)
            throw FreePort.Failure(description: "cannot listen on 127.0.0.1: errno \(errno)")
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(filler, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let filled = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard filled else {
            Self.closeAll(listener, filler)
            throw FreePort.Failure(description: "cannot fill the accept queue: errno \(errno)")
        }
        self.listener = listener
        self.filler = filler
        self.port = port
    }

    deinit {
        Self.closeAll(listener, filler)
    }

    private static func closeAll(_ descriptors: Int32...) {
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
    }
}
