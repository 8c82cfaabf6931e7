import Testing

@testable import MimirHTTPClient

@Suite("Sessions reuse connections")
struct SessionTests {
    @Test("50 sequential requests on a session use one connection")
    func oneConnection() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let session = HTTPClient().makeSession()
        var connections: Set<Int> = []
        var ports: Set<Int> = []
        for index in 0..<50 {
            let request =
                index.isMultiple(of: 2)
                ? HTTPRequest.json(method: .post, url: server.url("/echo"), body: ["beat": .integer(Int64(index))])
                : HTTPRequest(url: server.url("/echo"))
            let echo = try Echo(session.send(request))
            connections.insert(echo.connection)
            ports.insert(echo.clientPort)
        }
        #expect(connections.count == 1)
        #expect(ports.count == 1)
        let accepted = try HTTPClient().send(HTTPRequest(url: server.url("/connections"))).json()
        // The session's one connection plus the one just made to ask.
        #expect(accepted["connections"] == 2)
    }

    @Test("the blocking client without a session connects anew each time")
    func noSession() throws {
        let server = try TestServer.plain.get()
        let client = HTTPClient()
        var ports: Set<Int> = []
        for _ in 0..<5 { ports.insert(try Echo(client.send(HTTPRequest(url: server.url("/echo")))).clientPort) }
        #expect(ports.count == 5)
    }

    @Test("a session reconnects after the server closes the connection")
    func serverCloses() throws {
        let server = try TestServer.plain.get()
        let session = HTTPClient().makeSession()
        let first = try Echo(session.send(HTTPRequest(url: server.url("/echo"))))
        #expect(try session.send(HTTPRequest(url: server.url("/close"))).text == "closing")
        let second = try Echo(session.send(HTTPRequest(url: server.url("/echo"))))
        #expect(first.connection != second.connection)
        let third = try Echo(session.send(HTTPRequest(method: .post, url: server.url("/echo"), body: [0])))
        #expect(third.connection == second.connection)
    }

    @Test("reset closes the kept connection")
    func reset() throws {
        let server = try TestServer.plain.get()
        let session = HTTPClient().makeSession()
        let first = try Echo(session.send(HTTPRequest(url: server.url("/echo"))))
        session.reset()
        let second = try Echo(session.send(HTTPRequest(url: server.url("/echo"))))
        #expect(first.connection != second.connection)
    }

    @Test("sequential async requests reuse the pool thread's connection")
    func asyncReuse() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = HTTPClient()
        // A private pool, so that tests running alongside do not take its threads in between, whose
        // thread does not retire (closing its connection) if a loaded machine stalls this task.
        let pool = BlockingThreadPool(maximumThreads: 8, idleSeconds: 3600)
        var connections: Set<Int> = []
        for _ in 0..<20 {
            connections.insert(try Echo(await client.send(HTTPRequest(url: server.url("/echo")), on: pool)).connection)
        }
        #expect(connections.count == 1)
        #expect(pool.threadCount == 1)
    }
}
