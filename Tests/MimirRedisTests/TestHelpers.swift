import Logging
import MimirRedis
import MimirTestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Quiet: the tests provoke connection failures on purpose.
let quietLogger = Logger(label: "mimir.redis.test") { _ in SwiftLogNoOpLogHandler() }

func configuration(
    for server: RedisServer, _ adjust: (inout RedisConfiguration) -> Void = { _ in }
) throws -> RedisConfiguration {
    var configuration = try RedisConfiguration(url: server.url)
    adjust(&configuration)
    return configuration
}

/// Runs `body` with a client of `server` (or of `configuration`), shutting the client down afterwards
/// whatever happens.
func withClient<T>(
    _ server: RedisServer, poolSize: Int = 4, configuration custom: RedisConfiguration? = nil,
    _ body: (RedisClient) async throws -> T
) async throws -> T {
    let client = RedisClient(
        configuration: try custom ?? configuration(for: server), poolSize: poolSize, logger: quietLogger)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// `total_connections_received`: every connection the server ever accepted.
func connectionsAccepted(_ observer: RedisConnection) throws -> Int {
    let info = try observer.send(["INFO", "stats"]).string ?? ""
    let line = info.split(separator: "\r\n").first { $0.hasPrefix("total_connections_received:") }
    return line.flatMap { Int($0.split(separator: ":")[1]) } ?? -1
}

/// The server's client connections, not counting the one asking.
func connectedClients(_ server: RedisServer) throws -> Int {
    let observer = try RedisConnection(configuration: configuration(for: server))
    let list = try observer.send(["CLIENT", "LIST"]).string ?? ""
    return list.split(separator: "\n").count - 1
}

func timed<T>(_ body: () async throws -> T) async rethrows -> (result: T, duration: Duration) {
    let start = ContinuousClock.now
    let result = try await body()
    return (result, ContinuousClock.now - start)
}

/// Counts calls across the threads of a pool.
final class Counter: Sendable {
    private let storage = Mutex(0)
    func increment() -> Int {
        storage.withLock {
            $0 += 1
            return $0
        }
    }
    var value: Int { storage.withLock { $0 } }
}

/// Whether this machine can bind `[::1]` (some containers have no IPv6 at all).
func ipv6LoopbackIsAvailable() -> Bool {
    #if canImport(Glibc)
        let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let descriptor = socket(AF_INET6, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
        }
    }
}
