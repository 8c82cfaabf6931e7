import MimirRedis
import MimirTestSupport
import Testing

/// One connection against a real redis-server: every reply type, binary safety, errors, pipelines,
/// transactions, AUTH and SELECT.
@Suite("RedisConnection")
struct RedisConnectionTests {
    @Test func everyReplyType() async throws {
        let server = try await RedisServer.start()
        let connection = try RedisConnection(configuration: configuration(for: server))

        #expect(try connection.send(["SET", "k", "v"]) == .status("OK"))
        #expect(try connection.send(["GET", "k"]) == .bulk(Array("v".utf8)))
        #expect(try connection.send(["GET", "missing"]) == .null)
        #expect(try connection.send(["INCR", "n"]) == .integer(1))
        #expect(try connection.send(["INCRBY", "n", "-5"]) == .integer(-4))
        #expect(try connection.send(["RPUSH", "list", "a", "b"]) == .integer(2))
        #expect(try connection.send(["LRANGE", "list", "0", "-1"]) == .array([.bulk([97]), .bulk([98])]))
        #expect(try connection.send(["LRANGE", "missing", "0", "-1"]) == .array([]))
        #expect(try connection.send(["MGET", "k", "missing"]) == .array([.bulk([118]), .null]))
        // Nested arrays and an error reply inside an array, straight from the server.
        let nested = try connection.send([
            "EVAL", "return {1, {2, 'x'}, redis.error_reply('NOPE inner'), redis.status_reply('FINE')}", "0",
        ])
        #expect(
            nested
                == .array([.integer(1), .array([.integer(2), .bulk([120])]), .error("NOPE inner"), .status("FINE")]))
    }

    @Test func accessors() {
        #expect(RedisReply.status("OK").string == "OK")
        #expect(RedisReply.bulk(Array("héllo".utf8)).string == "héllo")
        #expect(RedisReply.bulk([0xFF, 0xFE]).string == nil)
        #expect(RedisReply.integer(3).string == nil)
        #expect(RedisReply.integer(42).int == 42)
        #expect(RedisReply.bulk(Array("-17".utf8)).int == -17)
        #expect(RedisReply.bulk(Array("1.5".utf8)).int == nil)
        #expect(RedisReply.status("12").int == nil)
        #expect(RedisReply.array([.null]).array == [.null])
        #expect(RedisReply.bulk([]).array == nil)
        #expect(RedisReply.null.isNull)
        #expect(!RedisReply.bulk([]).isNull)
        #expect(RedisReply.array([]).isNull == false)
    }

    @Test func bulkStringsAreBinarySafe() async throws {
        let server = try await RedisServer.start()
        let connection = try RedisConnection(configuration: configuration(for: server))
        let key: [UInt8] = [0x6B, 0x00, 0xFF, 0x0D, 0x0A]
        let value: [UInt8] = [0x00, 0x01, 0xC3, 0x28, 0xFF, 0x0D, 0x0A, 0x24, 0x2A, 0x00]
        #expect(try connection.send([Array("SET".utf8), key, value]) == .status("OK"))
        let reply = try connection.send([Array("GET".utf8), key])
        #expect(reply == .bulk(value))
        #expect(reply.string == nil, "bytes that are not UTF-8 must not decode as text")
        #expect(try connection.send([Array("STRLEN".utf8), key]) == .integer(Int64(value.count)))

        // A String with NUL goes through the String API with its full length.
        #expect(try connection.send(["SET", "nul", "a\u{0}b"]) == .status("OK"))
        #expect(try connection.send(["GET", "nul"]) == .bulk([97, 0, 98]))
        #expect(try connection.send(["SET", "", ""]) == .status("OK"))
        #expect(try connection.send(["GET", ""]) == .bulk([]))

        let large = (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(try connection.send([Array("SET".utf8), Array("large".utf8), large]) == .status("OK"))
        #expect(try connection.send(["GET", "large"]) == .bulk(large))
    }

    @Test func serverErrorsAreThrownWithServerAndCommand() async throws {
        let server = try await RedisServer.start()
        let connection = try RedisConnection(configuration: configuration(for: server))
        _ = try connection.send(["SET", "text", "private-value"])

        let wrongType = #expect(throws: RedisError.self) { try connection.send(["lpush", "text", "private-arg"]) }
        #expect(wrongType?.kind == .server)
        #expect(wrongType?.isConnectionProblem == false)
        #expect(wrongType?.serverErrorCode == "WRONGTYPE")
        #expect(wrongType?.command == "LPUSH")
        #expect(wrongType?.server == "127.0.0.1:\(server.port)")
        let message = wrongType?.description ?? ""
        #expect(message.hasPrefix("Redis 127.0.0.1:\(server.port), LPUSH: WRONGTYPE"), "\(message)")
        #expect(!message.contains("private"), "arguments must stay out of messages: \(message)")

        let noScript = #expect(throws: RedisError.self) {
            try connection.send(["EVALSHA", String(repeating: "0", count: 40), "0"])
        }
        #expect(noScript?.serverErrorCode == "NOSCRIPT")

        // Redis quotes arguments in "unknown command" errors; they are cut off.
        let unknown = #expect(throws: RedisError.self) { try connection.send(["NOSUCHCMD", "private-arg"]) }
        #expect(unknown?.description.contains("unknown command") == true)
        #expect(unknown?.description.contains("private") == false, "\(String(describing: unknown))")

        // An error reply leaves the connection usable.
        #expect(!connection.isBroken)
        #expect(try connection.send(["GET", "text"]).string == "private-value")
    }

    @Test func pipelineOfAThousandCommands() async throws {
        let server = try await RedisServer.start()
        try await withClient(server) { client in
            let sets = (0..<500).map { ["SET", "key:\($0)", "value \($0)"] }
            let gets = (0..<500).map { ["GET", "key:\($0)"] }
            let replies = try await client.pipeline(sets + gets)
            #expect(replies.count == 1000)
            #expect(replies[..<500].allSatisfy { $0 == .status("OK") })
            #expect(replies[500...].enumerated().allSatisfy { $0.element.string == "value \($0.offset)" })
            #expect(try await client.pipeline([]) == [])
        }
    }

    @Test func pipelineKeepsErrorRepliesInPlace() async throws {
        let server = try await RedisServer.start()
        let connection = try RedisConnection(configuration: configuration(for: server))
        let replies = try connection.pipeline([["SET", "s", "x"], ["INCR", "s"], ["GET", "s"]])
        #expect(replies.count == 3)
        #expect(replies[0] == .status("OK"))
        guard case .error(let message) = replies[1] else {
            Issue.record("expected an error reply, got \(replies[1])")
            return
        }
        #expect(message.hasPrefix("ERR value is not an integer"))
        #expect(replies[2].string == "x")
        #expect(!connection.isBroken)
    }

    @Test func multiExecThroughWithConnection() async throws {
        let server = try await RedisServer.start()
        try await withClient(server) { client in
            // Expectations are checked here, on the test's task, not on the pool thread.
            let replies = try await client.withConnection { connection throws(RedisError) in
                [
                    try connection.send(["MULTI"]), try connection.send(["SET", "t", "1"]),
                    try connection.send(["INCR", "t"]), try connection.send(["LPUSH", "t", "x"]),
                    try connection.send(["EXEC"]),
                ]
            }
            #expect(replies[..<4] == [.status("OK"), .status("QUEUED"), .status("QUEUED"), .status("QUEUED")])
            guard let results = replies[4].array, results.count == 3 else {
                Issue.record("EXEC returned \(replies[4])")
                return
            }
            #expect(results[0] == .status("OK"))
            #expect(results[1] == .integer(2))
            guard case .error(let message) = results[2] else {
                Issue.record("expected WRONGTYPE inside EXEC, got \(results[2])")
                return
            }
            #expect(message.hasPrefix("WRONGTYPE"))
            #expect(try await client.execute(["GET", "t"]).int == 2)
        }
    }

    @Test func watchConflictAbortsExec() async throws {
        let server = try await RedisServer.start()
        let other = try configuration(for: server)
        try await withClient(server) { client in
            _ = try await client.execute(["SET", "w", "1"])
            let exec = try await client.withConnection { connection throws(RedisError) in
                _ = try connection.send(["WATCH", "w"])
                _ = try RedisConnection(configuration: other).send(["SET", "w", "changed"])
                _ = try connection.send(["MULTI"])
                _ = try connection.send(["SET", "w", "mine"])
                return try connection.send(["EXEC"])
            }
            #expect(exec.isNull)
            #expect(try await client.execute(["GET", "w"]).string == "changed")
        }
    }

    @Test func authWithRequirepass() async throws {
        let password = "pä:ss@w/rd"
        let server = try await RedisServer.start(.init(password: password))
        let connection = try RedisConnection(configuration: configuration(for: server))
        #expect(try connection.send(["PING"]) == .status("PONG"))

        let anonymous = try RedisConnection(configuration: configuration(for: server) { $0.password = nil })
        let noAuth = #expect(throws: RedisError.self) { try anonymous.send(["GET", "k"]) }
        #expect(noAuth?.serverErrorCode == "NOAUTH")

        let wrong = "wrong-Pa55word"
        let error = #expect(throws: RedisError.self) {
            try RedisConnection(configuration: configuration(for: server) { $0.password = wrong })
        }
        #expect(error?.kind == .server)
        #expect(error?.isConnectionProblem == false)
        #expect(error?.command == "AUTH")
        let message = error?.description ?? ""
        #expect(message.contains("127.0.0.1:\(server.port)") && message.contains("WRONGPASS"), "\(message)")
        #expect(!message.contains(wrong) && !message.contains(password))

        // Through the client the command that needed the connection is named, and AUTH still is.
        try await withClient(server, configuration: try configuration(for: server) { $0.password = wrong }) { client in
            let error = await #expect(throws: RedisError.self) { try await client.execute(["GET", "k"]) }
            #expect(error?.description.contains("GET: AUTH on a new connection failed: WRONGPASS") == true)
            #expect(error?.description.contains(wrong) == false)
        }
    }

    @Test func authWithUsername() async throws {
        let server = try await RedisServer.start(.init(password: "admin"))
        let admin = try RedisConnection(configuration: configuration(for: server))
        #expect(try admin.send(["ACL", "SETUSER", "alice", "on", ">alice:pw", "~*", "+@all"]) == .status("OK"))
        let alice = try RedisConnection(
            configuration: RedisConfiguration(url: "redis://alice:alice%3Apw@127.0.0.1:\(server.port)"))
        #expect(try alice.send(["ACL", "WHOAMI"]).string == "alice")
    }

    @Test func selectIsolatesDatabases() async throws {
        let server = try await RedisServer.start()
        let three = try RedisConnection(configuration: RedisConfiguration(url: server.url + "/3"))
        let zero = try RedisConnection(configuration: configuration(for: server))
        _ = try three.send(["SET", "k", "in three"])
        #expect(try zero.send(["GET", "k"]) == .null)
        #expect(try three.send(["GET", "k"]).string == "in three")
        #expect(try zero.send(["DBSIZE"]) == .integer(0))

        try await withClient(server, configuration: try configuration(for: server) { $0.database = 3 }) { client in
            let value = try await client.execute(["GET", "k"])
            #expect(value.string == "in three")
        }
        let error = #expect(throws: RedisError.self) {
            try RedisConnection(configuration: RedisConfiguration(url: server.url + "/99"))
        }
        #expect(error?.command == "SELECT")
        #expect(error?.kind == .server)
    }

    /// hiredis 0.14 resolves IPv4 first and falls back to IPv6: an IPv6 literal must still work.
    @Test(.enabled(if: ipv6LoopbackIsAvailable())) func connectsOverIPv6() async throws {
        let server = try await RedisServer.start(.init(extraArguments: ["--bind", "127.0.0.1", "::1"]))
        let connection = try RedisConnection(configuration: RedisConfiguration(url: "redis://[::1]:\(server.port)"))
        #expect(try connection.send(["PING"]) == .status("PONG"))
        #expect(connection.configuration.serverName == "[::1]:\(server.port)")
    }

    @Test func emptyCommandIsRefused() async throws {
        let server = try await RedisServer.start()
        let connection = try RedisConnection(configuration: configuration(for: server))
        let error = #expect(throws: RedisError.self) { try connection.send([String]()) }
        #expect(error?.kind == .configuration)
        #expect(!connection.isBroken)
    }
}
