import MimirRedis
import Testing

@Suite("RedisConfiguration(url:)")
struct RedisConfigurationTests {
    @Test func defaults() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(configuration.username == nil)
        #expect(configuration.password == nil)
    }

    @Test func hostPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://10.1.2.3:6380/2")
        #expect(configuration.host == "10.1.2.3")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 2)
        #expect(try RedisConfiguration(url: "redis://h/").database == 0)
        #expect(try RedisConfiguration(url: "REDIS://h:1").port == 1)
        #expect(try RedisConfiguration(url: "  redis://h:2/3\n").database == 3)
    }

    @Test func passwordOnly() throws {
        let configuration = try RedisConfiguration(url: "redis://:s3cret@cache.internal:7000/1")
        #expect(configuration.username == nil)
        #expect(configuration.password == "s3cret")
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 7000)
        #expect(configuration.database == 1)
    }

    @Test func usernameAndPercentDecodedPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://al%69ce:p%40ss%3Aw%2Fo%C3%A9rd@h")
        #expect(configuration.username == "alice")
        #expect(configuration.password == "p@ss:w/oérd")
    }

    @Test func unencodedAtAndSlashInPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://:a@b/c?#d@h:5/4")
        #expect(configuration.password == "a@b/c?#d")
        #expect(configuration.host == "h")
        #expect(configuration.port == 5)
        #expect(configuration.database == 4)
    }

    @Test func ipv6() throws {
        let withPort = try RedisConfiguration(url: "redis://[::1]:7000/1")
        #expect(withPort.host == "::1")
        #expect(withPort.port == 7000)
        #expect(withPort.serverName == "[::1]:7000")
        let withoutPort = try RedisConfiguration(url: "redis://:pw@[fe80::1%25eth0]")
        #expect(withoutPort.host == "fe80::1%25eth0")
        #expect(withoutPort.port == 6379)
    }

    @Test(
        arguments: [
            ("", "does not start with redis://"),
            ("localhost:6379", "does not start with redis://"),
            ("rediss://h:6380", "TLS is not supported"),
            ("http://h", "unsupported scheme 'http'"),
            ("unix:///run/redis.sock", "Unix sockets are not supported"),
            ("redis://", "host is missing"),
            ("redis://:6379", "host is missing"),
            ("redis://h:0", "port must be a number from 1 to 65535"),
            ("redis://h:65536", "port must be a number from 1 to 65535"),
            ("redis://h:abc", "port must be a number from 1 to 65535"),
            ("redis://h:", "port must be a number from 1 to 65535"),
            ("redis://h/x", "database after '/' must be a number"),
            ("redis://h/-1", "database after '/' must be a number"),
            ("redis://h/1/2", "database after '/' must be a number"),
            ("redis://::1", "IPv6 address must be written in brackets"),
            ("redis://[::1", "lacks its closing ']'"),
            ("redis://[::1]x", "only ':port' may follow"),
            ("redis://[localhost]", "brackets are for IPv6 addresses only"),
            ("redis://user@h", "need a ':'"),
            ("redis://:@h", "password is empty"),
            ("redis://:%zz@h", "password has an invalid percent-encoding"),
            ("redis://%@h", "need a ':'"),
            ("redis://u%4:p@h", "username has an invalid percent-encoding"),
            ("redis://h?db=1", "query parameters and fragments are not supported"),
            ("redis://h#x", "query parameters and fragments are not supported"),
            ("redis://h h", "host has characters"),
        ])
    func rejects(url: String, expected: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.kind == .configuration)
        #expect(error?.isConnectionProblem == false)
        #expect(error?.description.hasPrefix("Redis: invalid URL: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains(expected) == true, "\(String(describing: error)) lacks \(expected)")
    }

    static let secret = "Zq9Secret77"

    /// Malformed URLs put the password where the host, port or database should be: no message may
    /// repeat it.
    @Test(
        arguments: [
            "redis://:\(secret)", "redis://user:\(secret)", "redis://user:\(secret)/0", "redis://:\(secret)@h:x",
            "redis://:\(secret)@h/x", "rediss://:\(secret)@h", "redis://:\(secret)%@h", "redis://:\(secret)@",
            "redis://\(secret)@h", "redis://:\(secret)@h?x=1", "redis://:\(secret)@[::1", "\(secret)",
            "\(secret)://h", "redis://:\(secret)@::1",
        ])
    func neverEchoesThePassword(url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error.map { !"\($0)".contains(Self.secret) && !$0.reason.contains(Self.secret) } == true, "\(url)")
    }

    @Test func descriptionAndMirrorHideThePassword() throws {
        let configuration = try RedisConfiguration(url: "redis://alice:\(Self.secret)@h:7/2")
        #expect(configuration.description == "redis://alice:***@h:7/2")
        #expect(!String(reflecting: configuration).contains(Self.secret))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains(Self.secret))
        #expect(dumped.contains("alice"))
        #expect(!"\([configuration])".contains(Self.secret))
    }

    @Test func connectFailureDoesNotEchoThePassword() throws {
        var configuration = try RedisConfiguration(url: "redis://:\(Self.secret)@127.0.0.1:1")
        configuration.connectTimeout = .milliseconds(500)
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
        #expect(error?.isConnectionProblem == true)
        #expect(error?.description.contains("127.0.0.1:1") == true)
        #expect(error?.description.contains(Self.secret) == false)
    }

    @Test func invalidSettingsAreRefusedBeforeConnecting() {
        var configuration = RedisConfiguration(port: 1)
        configuration.commandTimeout = .zero
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("commandTimeout must be positive") == true)
    }
}
