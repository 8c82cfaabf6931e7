import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback TCP proxy to `127.0.0.1:<upstream>` that holds back the server's answers whose first
/// bytes are `heldPrefix` by `delay` before passing them on, and passes everything else at once:
/// a round trip slow on the way back only, which a client timing it cannot tell from one slow both
/// ways. Each accepted connection gets its own upstream connection and two threads; they end when
/// either side closes, and the second to end closes both sockets.
public final class DelayingProxy: Sendable {
    public let port: Int
    private let listener: Int32

    public init(upstream: Int, heldPrefix: [UInt8], delay: Duration) throws(FreePort.Failure) {
        let (listener, port) = try FreePort.listening(backlog: 16)
        self.listener = listener
        self.port = port
        let held = UInt32(delay / .microseconds(1))
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                let server = FreePort.streamSocket()
                guard server >= 0, FreePort.connectLoopback(server, port: upstream) else {
                    close(client)
                    if server >= 0 { close(server) }
                    continue
                }
                // The second pump to end closes both sockets: the first may still be writing.
                let ends = PumpEnds()
                let finish: @Sendable () -> Void = {
                    if ends.count.add(1, ordering: .sequentiallyConsistent).newValue == 2 {
                        close(client)
                        close(server)
                    }
                }
                Thread.detachNewThread {
                    Self.pump(from: client, to: server, held: [], micros: 0)
                    finish()
                }
                Thread.detachNewThread {
                    Self.pump(from: server, to: client, held: heldPrefix, micros: held)
                    finish()
                }
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Copies bytes until either side closes, holding back the chunks that start with `held`.
    private static func pump(from source: Int32, to destination: Int32, held: [UInt8], micros: UInt32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        defer {
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(destination, Int32(SHUT_RDWR))
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            if !held.isEmpty, count >= held.count, Array(buffer[0..<held.count]) == held {
                usleep(micros)
            }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { bytes -> Int in
                    guard let base = bytes.baseAddress else { return -1 }
                    return write(destination, base + sent, count - sent)
                }
                guard written > 0 else { return }
                sent += written
            }
        }
    }
}

/// How many of a connection's two pumps have ended.
private final class PumpEnds: Sendable {
    let count = Atomic<Int>(0)
}
