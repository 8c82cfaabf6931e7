import MimirRedis
import MimirTestSupport
import Synchronization
import Testing

@Suite("RedisClient pool")
struct RedisClientTests {
    @Test func twoHundredConcurrentCallsOnAPoolOfFour() async throws {
        let server = try await RedisServer.start()
        let observer = try RedisConnection(configuration: configuration(for: server))
        let acceptedBefore = try connectionsAccepted(observer)
        try await withClient(server, poolSize: 4) { client in
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let set = try await client.execute(["SET", "key:\(index)", "\(index)"])
                        let get = try await client.execute(["GET", "key:\(index)"])
                        let incr = try await client.execute(["INCR", "counter"])
                        return set == .status("OK") && get.int == Int64(index) && incr.int != nil
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.count == 200)
            #expect(results.allSatisfy { $0 })
            #expect(try await client.execute(["GET", "counter"]).int == 200)

            #expect(client.peakOpenConnections <= 4)
            #expect(client.openConnections >= 1 && client.openConnections <= 4)
            // The server's view: no more than 4 connections ever, and the open ones are all in CLIENT LIST.
            #expect(try connectionsAccepted(observer) - acceptedBefore <= 4)
            #expect(try connectedClients(server) - 1 == client.openConnections)  // -1: connectedClients' own observer
        }
    }

    /// A command that keeps its connection waiting holds one pool thread only. (BLPOP, not DEBUG SLEEP:
    /// DEBUG SLEEP stalls the single-threaded server itself, so every connection would wait.)
    @Test func slowCommandDoesNotBlockOtherThreads() async throws {
        let server = try await RedisServer.start()
        // A command timeout beyond BLPOP's own 120 s: on a loaded machine the GETs may take
        // seconds (a block of 30 s once ran out in CI before them).
        try await withClient(
            server, poolSize: 4, configuration: try configuration(for: server) { $0.commandTimeout = .seconds(150) }
        ) { client in
            _ = try await client.execute(["SET", "k", "v"])
            // Ordering, not timing: the GETs must all finish while BLPOP still waits for its list.
            let slowFinished = Atomic<Bool>(false)
            async let slow = {
                defer { slowFinished.store(true, ordering: .sequentiallyConsistent) }
                return try await client.execute(["BLPOP", "nothing-here", "120"])
            }()
            try await Task.sleep(for: .milliseconds(50))
            for _ in 0..<20 { _ = try await client.execute(["GET", "k"]) }
            let slowAlready = slowFinished.load(ordering: .sequentiallyConsistent)
            #expect(!slowAlready, "the GETs waited behind BLPOP")
            _ = try await client.execute(["RPUSH", "nothing-here", "x"])
            #expect(try await slow.array?.last?.string == "x")
        }
    }

    @Test func commandTimeoutGivesTimeout() async throws {
        let server = try await RedisServer.start(.init(enableDebugCommand: true))
        try await withClient(
            server, poolSize: 2,
            configuration: try configuration(for: server) { $0.commandTimeout = .milliseconds(200) }
        ) { client in
            _ = try await client.execute(["PING"])
            let (error, _) = await timed {
                await #expect(throws: RedisError.self) { try await client.execute(["DEBUG", "SLEEP", "3"]) }
            }
            #expect(error?.kind == .timeout)
            #expect(error?.isConnectionProblem == true)
            #expect(error?.description.contains("DEBUG: no reply within") == true, "\(String(describing: error))")
            // A timeout error at all proves the 200 ms limit fired: the reply would have come after 3 s with
            // no error. (No bound on the duration: on a loaded machine the test itself can be held up.)
            #expect(client.openConnections == 0, "the timed-out connection is dropped")

            try await Task.sleep(for: .milliseconds(3000))  // The server is asleep until then.
            #expect(try await client.execute(["PING"]) == .status("PONG"))
        }

        // The same on a bare connection, which is unusable afterwards.
        let connection = try RedisConnection(
            configuration: configuration(for: server) { $0.commandTimeout = .milliseconds(100) })
        let error = #expect(throws: RedisError.self) { try connection.send(["BLPOP", "nothing", "1"]) }
        #expect(error?.kind == .timeout)
        #expect(connection.isBroken)
        let after = #expect(throws: RedisError.self) { try connection.send(["PING"]) }
        #expect(after?.kind == .connection)
    }

    /// A pipeline that times out names the command whose reply it was waiting for, and its position.
    /// (Redis sends the replies of one batch of input together, so SET's reply waits for DEBUG too.)
    @Test func pipelineTimeoutNamesTheCommand() async throws {
        let server = try await RedisServer.start(.init(enableDebugCommand: true))
        let connection = try RedisConnection(
            configuration: configuration(for: server) { $0.commandTimeout = .milliseconds(200) })
        let error = #expect(throws: RedisError.self) {
            try connection.pipeline([["SET", "k", "v"], ["DEBUG", "SLEEP", "0.5"], ["PING"]])
        }
        #expect(error?.kind == .timeout)
        #expect(
            error?.description.contains("SET (command 1 of 3 in a pipeline): no reply within") == true,
            "\(String(describing: error))")
        #expect(connection.isBroken)
    }

    /// A body that throws inside MULTI, or moves to another database, must not leave that state to
    /// the next caller of the same pooled connection.
    @Test func connectionWithChangedSessionIsNotReused() async throws {
        let server = try await RedisServer.start()
        try await withClient(server, poolSize: 1) { client in
            let failure = RedisError(kind: .server, server: nil, command: "TEST", reason: "abandoned")
            await #expect(throws: RedisError.self) {
                try await client.withConnection { connection throws(RedisError) in
                    _ = try connection.send(["MULTI"])
                    _ = try connection.send(["SET", "x", "queued"])
                    throw failure
                }
            }
            #expect(try await client.execute(["SET", "x", "1"]) == .status("OK"))  // not "QUEUED"
            #expect(try await client.execute(["GET", "x"]).string == "1")

            _ = try await client.withConnection { connection throws(RedisError) in
                _ = try connection.send(["SELECT", "5"])
                return try connection.send(["SET", "in5", "yes"])
            }
            #expect(try await client.execute(["GET", "in5"]) == .null)  // back on database 0

            // An ordinary body leaves its connection for reuse.
            _ = try await client.withConnection { connection throws(RedisError) in try connection.send(["PING"]) }
            let before = client.openConnections
            _ = try await client.withConnection { connection throws(RedisError) in try connection.send(["PING"]) }
            #expect(client.openConnections == before)
        }
    }

    /// A task cancelled before its turn on a pool thread never sends its command.
    @Test func cancelledTaskDoesNotSend() async throws {
        let server = try await RedisServer.start()
        try await withClient(server) { client in
            let kind = await Task { () async -> RedisError.Kind? in
                withUnsafeCurrentTask { $0?.cancel() }
                do throws(RedisError) {
                    _ = try await client.execute(["SET", "cancelled", "sent"])
                    return nil
                } catch {
                    return error.kind
                }
            }.value
            let stored = try await client.execute(["GET", "cancelled"])
            #expect(kind == .cancelled)
            #expect(stored == .null)
        }
    }

    @Test func binaryExecute() async throws {
        let server = try await RedisServer.start()
        try await withClient(server) { client in
            let value: [UInt8] = [0, 255, 13, 10, 0xC3]
            let set = try await client.execute([Array("SET".utf8), [1, 2], value])
            let get = try await client.execute([Array("GET".utf8), [1, 2]])
            #expect(set == .status("OK"))
            #expect(get == .bulk(value))
        }
    }

    @Test func shutdownClosesConnectionsAndRefusesCalls() async throws {
        let server = try await RedisServer.start()
        let client = RedisClient(configuration: try configuration(for: server), poolSize: 3, logger: quietLogger)
        async let first = client.execute(["BLPOP", "a", "0.2"])
        async let second = client.execute(["BLPOP", "b", "0.2"])
        async let third = client.execute(["BLPOP", "c", "0.2"])
        _ = try await (first, second, third)
        #expect(client.openConnections == 3)
        #expect(try connectedClients(server) == 3)

        await client.shutdown()
        #expect(client.openConnections == 0)
        var remaining = try connectedClients(server)
        for _ in 0..<50 where remaining != 0 {
            try await Task.sleep(for: .milliseconds(10))
            remaining = try connectedClients(server)
        }
        #expect(remaining == 0)
        let error = await #expect(throws: RedisError.self) { try await client.execute(["PING"]) }
        #expect(error?.description.contains("shut down") == true)
        await client.shutdown()  // twice is fine
    }
}
