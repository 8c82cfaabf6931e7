import MimirRedis
import MimirTestSupport
import Synchronization
import Testing

@Suite("RedisBlockingConnection")
struct RedisBlockingConnectionTests {
    @Test func blockingMoveDoesNotStarveThePool() async throws {
        let server = try await RedisServer.start()
        let blocking = RedisBlockingConnection(configuration: try configuration(for: server), logger: quietLogger)
        try await withClient(server, poolSize: 1) { client in
            // Ordering, not timing: the PINGs must finish while BLMOVE still waits. If BLMOVE held
            // the pool's only thread, they could finish only after it gave up (120 s), empty-handed.
            // (A block of 30 s ran out once in CI before this task, kept off the cooperative pool
            // by other tests, got to its LPUSH.)
            let moveFinished = Atomic<Bool>(false)
            async let moved = {
                defer { moveFinished.store(true, ordering: .sequentiallyConsistent) }
                return try await blocking.execute(
                    ["BLMOVE", "queue", "processing", "RIGHT", "LEFT", "120"], blockingFor: .seconds(120))
            }()
            try await Task.sleep(for: .milliseconds(100))
            for _ in 0..<10 { _ = try await client.execute(["PING"]) }
            let movedAlready = moveFinished.load(ordering: .sequentiallyConsistent)
            #expect(!movedAlready, "the PINGs waited for BLMOVE")
            _ = try await client.execute(["LPUSH", "queue", "job-1"])
            let result = try await moved
            #expect(result.string == "job-1")
            let processing = try await client.execute(["LRANGE", "processing", "0", "-1"])
            #expect(processing == .array([.bulk(Array("job-1".utf8))]))
        }
        await blocking.shutdown()
    }

    /// The socket timeout covers the block time, so an empty queue gives nil, not a timeout error.
    @Test func blockTimeoutLongerThanCommandTimeoutGivesNull() async throws {
        let server = try await RedisServer.start()
        let blocking = RedisBlockingConnection(
            configuration: try configuration(for: server) { $0.commandTimeout = .milliseconds(200) },
            logger: quietLogger)
        let (reply, duration) = try await timed {
            try await blocking.execute(["BRPOP", "empty", "0.5"], blockingFor: .milliseconds(500))
        }
        #expect(reply.isNull)
        #expect(duration >= .milliseconds(450))
        // Back to the short timeout for an ordinary command on the same connection.
        #expect(try await blocking.execute(["PING"]) == .status("PONG"))
        await blocking.shutdown()
    }

    @Test func reconnectsAfterRedisRestarts() async throws {
        let server = try await RedisServer.start()
        let blocking = RedisBlockingConnection(configuration: try configuration(for: server), logger: quietLogger)
        #expect(try await blocking.execute(["PING"]) == .status("PONG"))
        await server.kill()
        let error = await #expect(throws: RedisError.self) { try await blocking.execute(["PING"]) }
        #expect(error?.isConnectionProblem == true)
        try await server.restart()
        #expect(try await blocking.execute(["PING"]) == .status("PONG"))
        await blocking.shutdown()
        let afterShutdown = await #expect(throws: RedisError.self) { try await blocking.execute(["PING"]) }
        #expect(afterShutdown?.kind == .connection)
        #expect(afterShutdown?.description.contains("shut down") == true)
    }
}
