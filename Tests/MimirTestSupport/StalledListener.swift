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
        let (listener, port) = try FreePort.listening(backlog: 0)
        let filler = FreePort.streamSocket()
        guard filler >= 0 else {
            Self.closeAll(listener)
            throw FreePort.Failure(description: "socket() failed: errno \(errno)")
        }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(filler, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard FreePort.connectLoopback(filler, port: port) else {
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
