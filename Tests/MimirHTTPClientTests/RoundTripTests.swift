import MimirCore
import MimirHTTPClient
import Testing

@Suite("Requests and responses round trip")
struct RoundTripTests {
    let client = HTTPClient()

    @Test("GET sends headers in order, repeats included, and the default User-Agent")
    func getWithHeaders() throws {
        let server = try TestServer.plain.get()
        let request = HTTPRequest(
            url: server.url("/echo?page=2"),
            headers: [("X-First", "1"), ("Authorization", "Bearer token"), ("X-First", "again"), ("X-Empty", "")])
        let response = try client.send(request)
        #expect(response.status == 200)
        let echo = try Echo(response)
        #expect(echo.method == "GET")
        #expect(echo.path == "/echo?page=2")
        #expect(echo.body.isEmpty)
        #expect(echo.header("User-Agent") == "mimir/\(MimirVersion.current)")
        #expect(echo.header("Content-Length") == nil)
        let custom = echo.headers.filter { ["X-First", "Authorization", "X-Empty"].contains($0.0) }
        #expect(custom.map(\.0) == ["X-First", "Authorization", "X-First", "X-Empty"])
        #expect(custom.map(\.1) == ["1", "Bearer token", "again", ""])
    }

    @Test("a body with NUL bytes arrives intact", arguments: [HTTPMethod.post, .put, .patch, .delete, .get])
    func binaryBodyReachesServer(method: HTTPMethod) throws {
        let server = try TestServer.plain.get()
        let body = binaryBody()
        let response = try client.send(
            HTTPRequest(method: method, url: server.url("/echo"), headers: [("X-Kind", "binary")], body: body))
        let echo = try Echo(response)
        #expect(echo.method == method.rawValue)
        #expect(echo.body == body)
        #expect(echo.header("Content-Length") == "\(body.count)")
        #expect(echo.header("X-Kind") == "binary")
        // No curl defaults leak in: no form content type, no 100-continue handshake.
        #expect(echo.header("Content-Type") == nil)
        #expect(echo.header("Expect") == nil)
    }

    @Test("a binary body comes back byte for byte", arguments: [HTTPMethod.post, .put, .patch, .delete])
    func binaryBodyReturns(method: HTTPMethod) throws {
        let server = try TestServer.plain.get()
        let body = binaryBody(count: 70_000)
        let response = try client.send(HTTPRequest(method: method, url: server.url("/mirror"), body: body))
        #expect(response.status == 200)
        #expect(response.body == body)
        #expect(response.header("content-type") == "application/octet-stream")
    }

    @Test("a large body (8 MiB) goes and comes back")
    func largeBody() throws {
        let server = try TestServer.plain.get()
        let body = binaryBody(count: 8 << 20)
        let response = try client.send(HTTPRequest(method: .post, url: server.url("/mirror"), body: body))
        #expect(response.body.count == body.count)
        #expect(response.body == body)
    }

    @Test("POST, PUT and PATCH without a body send Content-Length: 0", arguments: [HTTPMethod.post, .put, .patch])
    func emptyBody(method: HTTPMethod) throws {
        let server = try TestServer.plain.get()
        let echo = try Echo(client.send(HTTPRequest(method: method, url: server.url("/echo"))))
        #expect(echo.method == method.rawValue)
        #expect(echo.header("Content-Length") == "0")
        #expect(echo.body.isEmpty)
    }

    @Test("DELETE without a body sends none")
    func deleteWithoutBody() throws {
        let server = try TestServer.plain.get()
        let echo = try Echo(client.send(HTTPRequest(method: .delete, url: server.url("/echo/item/7"))))
        #expect(echo.method == "DELETE")
        #expect(echo.path == "/echo/item/7")
        #expect(echo.header("Content-Length") == nil)
    }

    @Test("HEAD returns the headers and no body")
    func head() throws {
        let server = try TestServer.plain.get()
        let response = try client.send(HTTPRequest(method: .head, url: server.url("/big?bytes=5000")))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.header("Content-Length") == "5000")
    }

    @Test("JSON requests carry the content type and parse back")
    func json() throws {
        let server = try TestServer.plain.get()
        let document: JSONValue = ["worker": "w-1", "slots": 4, "labels": ["gpu", "x86"], "ratio": 0.5]
        let request = HTTPRequest.json(
            method: .put, url: server.url("/echo"), body: document, headers: [("Accept", "application/json")])
        let response = try client.send(request)
        let echo = try Echo(response)
        #expect(echo.method == "PUT")
        #expect(echo.header("Content-Type") == "application/json")
        #expect(echo.header("Accept") == "application/json")
        #expect(try JSONValue.parse(String(decoding: echo.body, as: UTF8.self)) == document)
        #expect(try response.json()["method"] == "PUT")
    }

    @Test("response headers keep repeats and order; lookup ignores case")
    func responseHeaders() throws {
        let server = try TestServer.plain.get()
        let response = try client.send(HTTPRequest(url: server.url("/headers")))
        #expect(response.headers.filter { $0.0 == "Set-Cookie" }.map(\.1) == ["a=1", "b=2"])
        #expect(response.header("set-cookie") == "a=1")
        #expect(response.header("X-MULTI") == "first")
        #expect(response.header("Content-Length") == "2")
        #expect(response.header("X-Missing") == nil)
        #expect(response.text == "{}")
        #expect(response.url == server.url("/headers"))
    }

    @Test("a caller's Content-Type and User-Agent win over the defaults")
    func overrides() throws {
        let server = try TestServer.plain.get()
        let request = HTTPRequest(
            method: .post, url: server.url("/echo"),
            headers: [("Content-Type", "application/x-ndjson"), ("User-Agent", "probe/1")], body: Array("{}\n".utf8))
        let echo = try Echo(client.send(request))
        #expect(echo.header("Content-Type") == "application/x-ndjson")
        #expect(echo.header("User-Agent") == "probe/1")
        let custom = try Echo(HTTPClient(userAgent: "custom/2").send(HTTPRequest(url: server.url("/echo"))))
        #expect(custom.header("User-Agent") == "custom/2")
    }
}

@Suite("Status codes")
struct StatusTests {
    @Test("error statuses are responses, not errors", arguments: [200, 201, 204, 301, 400, 401, 404, 409, 500, 503])
    func passedThrough(status: Int) throws {
        let server = try TestServer.plain.get()
        let response = try HTTPClient().send(HTTPRequest(url: server.url("/status/\(status)")))
        #expect(response.status == status)
        #expect(response.isSuccess == (200..<300).contains(status))
        if status != 204 { #expect(response.text == "status \(status)") }
    }

    @Test("a missing route is a 404 response")
    func notFound() async throws {
        let server = try TestServer.plain.get()
        let response = try await HTTPClient().send(HTTPRequest(method: .post, url: server.url("/nothing-here")))
        #expect(response.status == 404)
    }
}
