import MimirRedis
import MimirTestSupport
import Synchronization
import Testing

/// The shared connection behind `RedisClient.execute` and `pipeline`: many callers at once on one
/// connection, each given its own replies, and what happens when that connection fails under them.
@Suite("RedisClient shared connection")
struct RedisMultiplexingTests {
    /// 1,000 concurrent callers, each writing and reading back its own value, over one connection:
    /// a reply handed to the wrong caller would show as a wrong value.
    @Test func concurrentCallersShareOneConnectionAndGetTheirOwnReplies() async throws {
        let server = try await RedisServer.start()
        let observer = try RedisConnection(configuration: configuration(for: server))
        let acceptedBefore = try connectionsAccepted(observer)
        try await withClient(server, poolSize: 4) { client in
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let value = "value-\(index)-\(String(repeating: "x", count: index % 97))"
                        _ = try await client.execute(["SET", "key:\(index)", value])
                        let single = try await client.execute(["GET", "key:\(index)"]).string
                        let piped = try await client.pipeline([
                            ["GET", "key:\(index)"], ["STRLEN", "key:\(index)"], ["HGET", "key:\(index)", "f"],
                        ])
                        var wrong = single == value ? 0 : 1
                        if piped.count != 3 || piped[0].string != value || piped[1].int != Int64(value.utf8.count) {
                            wrong += 1
                        }
                        // HGET on a string: the error reply stays in its place in the pipeline.
                        if case .error(let message) = piped.last, message.hasPrefix("WRONGTYPE") {} else { wrong += 1 }
                        return wrong
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
            #expect(try connectionsAccepted(observer) - acceptedBefore == 1, "one connection for all of them")
            #expect(client.openConnections == 1)
        }
    }

    /// A top-level error reply is thrown with the command's name, as on a connection of its own.
    @Test func errorRepliesAreThrownNamingTheCommand() async throws {
        let server = try await RedisServer.start()
        try await withClient(server) { client in
            _ = try await client.execute(["SET", "s", "text"])
            let error = await #expect(throws: RedisError.self) { try await client.execute(["LPUSH", "s", "x"]) }
            #expect(error?.kind == .server)
            #expect(error?.serverErrorCode == "WRONGTYPE")
            #expect(error?.description.contains(", LPUSH: WRONGTYPE") == true, "\(String(describing: error))")
            #expect(try await client.execute(["GET", "s"]).string == "text", "the connection is still in step")
        }
    }

    /// The server drops the shared connection while a call waits on it: the call fails as a
    /// connection problem without having run, or, with `retryOnStaleConnection`, is sent again on a
    /// new connection; later calls reconnect. (CLIENT PAUSE WRITE holds the call unanswered while
    /// leaving the server free to run CLIENT KILL.)
    @Test func aDroppedConnectionFailsItsCallsAndTheNextCallReconnects() async throws {
        let server = try await RedisServer.start()
        let admin = try RedisConnection(configuration: configuration(for: server))
        // The held INCR must outlast the wait below: with the default 5 s command timeout, a test
        // starved of CPU for 5 s by the rest of the suite saw its INCR time out and its connection
        // close before it could look, and then waited for an INCR that was gone.
        let patient = try configuration(for: server) { $0.commandTimeout = .seconds(60) }
        try await withClient(server, configuration: patient) { client in
            for retry in [false, true] {
                _ = try await client.execute(["GET", "k"])
                _ = try admin.send(["CLIENT", "PAUSE", "60000", "WRITE"])
                async let held = Result { () async throws(RedisError) in
                    try await client.execute(["INCR", "counter"], retryOnStaleConnection: retry)
                }
                let sharedID = try await waitForHeldIncr(admin)
                _ = try admin.send(["CLIENT", "KILL", "ID", sharedID])
                if retry {
                    // Sent again on a new connection, where the pause holds it once more.
                    _ = try await waitForHeldIncr(admin)
                }
                _ = try admin.send(["CLIENT", "UNPAUSE"])
                switch await held {
                case .success(let value):
                    #expect(retry, "without retryOnStaleConnection the call must fail, not run")
                    #expect(value == .integer(1))
                case .failure(let error):
                    #expect(!retry, "retried on a new connection: \(error)")
                    #expect(error.kind == .connection, "\(error)")
                    #expect(error.description.contains("INCR: the server closed the connection"), "\(error)")
                }
                #expect(try await client.execute(["GET", "k"]) == .null, "the next call opens a new connection")
            }
            #expect(try await client.execute(["GET", "counter"]).int == 1, "the killed INCR never ran")
        }
    }

    struct NoHeldIncr: Error, CustomStringConvertible {
        let clients: String
        var description: String { "no client's INCR was held by the pause within 30 s; CLIENT LIST:\n\(clients)" }
    }

    /// The id of the client whose INCR the pause is holding (CLIENT LIST names its command). Gives
    /// up after 30 s, half the pause, so a call that never reaches the server fails the test with
    /// what the server saw instead of leaving it waiting for ever.
    private func waitForHeldIncr(_ admin: RedisConnection) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        var clients = ""
        while ContinuousClock.now < deadline {
            clients = try admin.send(["CLIENT", "LIST"]).string ?? ""
            if let line = clients.split(separator: "\n").first(where: { $0.contains(" cmd=incr ") }),
                let id = line.split(separator: " ").first(where: { $0.hasPrefix("id=") })
            {
                return String(id.dropFirst(3))
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        _ = try admin.send(["CLIENT", "UNPAUSE"])
        throw NoHeldIncr(clients: clients)
    }
}

extension Result where Failure == RedisError {
    init(_ body: () async throws(RedisError) -> Success) async {
        do throws(RedisError) {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
