import Foundation
import MimirHTTPClient
import Testing

@Suite("Failures")
struct FailureTests {
    let client = HTTPClient()

    @Test("connection refused is a transient .connection error naming method and URL")
    func refused() throws {
        let url = "http://127.0.0.1:\(try closedPort())/v1/workers/register"
        let error = expectClientError { () throws(HTTPClientError) in
            try client.send(HTTPRequest(method: .post, url: url, body: [1, 2, 3]))
        }
        #expect(error?.kind == .connection)
        #expect(error?.isTransient == true)
        #expect(error?.message.hasPrefix("POST \(url): ") == true)
        #expect(error?.curlCode == 7)
        #expect(error?.description == error?.message)
    }

    @Test("an unknown host is a .connection error")
    func unknownHost() {
        let error = expectClientError { () throws(HTTPClientError) in
            try client.send(HTTPRequest(url: "http://no-such-host.invalid/x"))
        }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("no-such-host.invalid") == true)
    }

    @Test("a server slower than the timeout gives .timeout, on time")
    func timeout() throws {
        let server = try TestServer.plain.get()
        let clock = ContinuousClock()
        let start = clock.now
        let error = expectClientError { () throws(HTTPClientError) in
            try client.send(HTTPRequest(url: server.url("/slow?seconds=5"), timeout: .milliseconds(500)))
        }
        let elapsed = clock.now - start
        #expect(error?.kind == .timeout)
        #expect(error?.isTransient == true)
        // The server answers 200 after 5 s, so `.timeout` is the proof that the timeout fired; no
        // upper bound on the time, which a loaded machine may stretch.
        #expect(elapsed >= .milliseconds(450))
    }

    @Test("a body over the cap fails with .tooLarge, with or without Content-Length", arguments: [false, true])
    func tooLarge(chunked: Bool) throws {
        let server = try TestServer.plain.get()
        let small = HTTPClient(maxResponseBytes: 100_000)
        let url = server.url("/big?bytes=300000&chunked=\(chunked ? 1 : 0)")
        let error = expectClientError { () throws(HTTPClientError) in try small.send(HTTPRequest(url: url)) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("100000") == true)
        let atLimit = try small.send(HTTPRequest(url: server.url("/big?bytes=100000&chunked=\(chunked ? 1 : 0)")))
        #expect(atLimit.body.count == 100_000)
    }

    @Test("user information and the query never appear in error messages")
    func secretsRedacted() throws {
        let port = try closedPort()
        let url = "http://robot:hunter2@127.0.0.1:\(port)/api/v1/pods?token=abc123&watch=1#frag"
        let error = expectClientError { () throws(HTTPClientError) in try client.send(HTTPRequest(url: url)) }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("GET http://127.0.0.1:\(port)/api/v1/pods: "))
        for secret in ["robot", "hunter2", "abc123", "token", "frag"] {
            #expect(!message.contains(secret), "\(secret) leaked into \(message)")
        }
        let server = try TestServer.plain.get()
        let slow = "http://robot:hunter2@127.0.0.1:\(server.port)/slow?seconds=3&sig=abc123"
        let timeout = expectClientError { () throws(HTTPClientError) in
            try client.send(HTTPRequest(url: slow, timeout: .milliseconds(200)))
        }
        #expect(timeout?.kind == .timeout)
        #expect(timeout?.message.contains("hunter2") == false)
        #expect(timeout?.message.contains("abc123") == false)
        #expect(timeout?.message.contains("http://127.0.0.1:\(server.port)/slow") == true)
    }

    @Test("user information in the URL is sent as basic authentication")
    func basicAuthentication() throws {
        let server = try TestServer.plain.get()
        let echo = try Echo(client.send(HTTPRequest(url: "http://robot:hunter2@127.0.0.1:\(server.port)/echo")))
        #expect(echo.header("Authorization") == "Basic cm9ib3Q6aHVudGVyMg==")
    }

    @Test(
        "requests that cannot be sent are .invalidRequest",
        arguments: [
            HTTPRequest(url: "not a url at all"),
            HTTPRequest(url: "ftp://127.0.0.1/file"),
            HTTPRequest(url: "file:///etc/passwd"),
            HTTPRequest(url: "http://127.0.0.1:1/x\r\nX-Injected: 1"),
            HTTPRequest(url: "http://127.0.0.1:1/x", headers: [("X-Injected", "a\r\nHost: evil")]),
            HTTPRequest(url: "http://127.0.0.1:1/x", headers: [("Bad Name", "v")]),
            HTTPRequest(url: "http://127.0.0.1:1/x", headers: [("", "v")]),
            HTTPRequest(url: "http://127.0.0.1:1/x", timeout: .zero),
            HTTPRequest(url: "http://127.0.0.1:1/x", connectTimeout: .seconds(-1)),
            HTTPRequest(method: .head, url: "http://127.0.0.1:1/x", body: [1]),
        ])
    func invalid(request: HTTPRequest) {
        let error = expectClientError { () throws(HTTPClientError) in try client.send(request) }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.isTransient == false)
    }

    @Test("a zero cap refuses any body but not an empty one")
    func zeroCap() throws {
        let server = try TestServer.plain.get()
        let none = HTTPClient(maxResponseBytes: 0)
        #expect(try none.send(HTTPRequest(url: server.url("/status/204"))).status == 204)
        let error = expectClientError { () throws(HTTPClientError) in
            try none.send(HTTPRequest(url: server.url("/big?bytes=1")))
        }
        #expect(error?.kind == .tooLarge)
    }

    @Test("a session stays usable after a failure")
    func sessionAfterFailure() throws {
        let server = try TestServer.plain.get()
        let session = client.makeSession()
        let url = "http://127.0.0.1:\(try closedPort())/x"
        let error = expectClientError { () throws(HTTPClientError) in
            try session.send(HTTPRequest(url: url))
        }
        #expect(error?.kind == .connection)
        #expect(try session.send(HTTPRequest(url: server.url("/status/201"))).status == 201)
    }
}
