import Foundation
import MimirRedis
import MimirTestSupport
import Testing

/// The test support itself: a test that relies on kill/restart must get what it asks for.
@Suite("RedisServer (test support)")
struct RedisServerTests {
    @Test func dataSurvivesRestartOnlyWithAppendOnly() async throws {
        let persistent = try await RedisServer.start(.init(appendOnly: true))
        _ = try RedisConnection(configuration: configuration(for: persistent)).send(["SET", "k", "kept"])
        await persistent.kill()
        #expect(!persistent.isRunning)
        try await persistent.restart()
        #expect(try RedisConnection(configuration: configuration(for: persistent)).send(["GET", "k"]).string == "kept")

        let volatile = try await RedisServer.start()
        let port = volatile.port
        _ = try RedisConnection(configuration: configuration(for: volatile)).send(["SET", "k", "lost"])
        try await volatile.restart()
        #expect(volatile.port == port)
        #expect(try RedisConnection(configuration: configuration(for: volatile)).send(["GET", "k"]) == .null)
    }

    @Test func processIsKilledWhenTheServerObjectGoesAway() async throws {
        var server: RedisServer? = try await RedisServer.start()
        let pid = try #require(server?.processIdentifier)
        let directory = try #require(server?.directory)
        #expect(kill(pid, 0) == 0)
        server = nil
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    @Test func stopEndsTheProcess() async throws {
        let server = try await RedisServer.start()
        await server.stop()
        #expect(!server.isRunning)
        #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration(for: server)) }
    }

    @Test func freePortsAreUsable() throws {
        let port = try FreePort.find()
        #expect((1024...65_535).contains(port))
    }
}
