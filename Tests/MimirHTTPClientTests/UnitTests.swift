import MimirCore
import Testing

@testable import MimirHTTPClient

@Suite("Pieces")
struct UnitTests {
    @Test(
        "URLs lose user information, query and fragment",
        arguments: [
            ("https://user:pass@api.example.com:6443/api/v1/pods?watch=1", "https://api.example.com:6443/api/v1/pods"),
            ("http://token@host/path#part", "http://host/path"),
            ("http://host:8080/a/b", "http://host:8080/a/b"),
            ("http://a:b@c@host/x?q", "http://host/x"),
            ("user:pass@host/p?x=1", "host/p"),
            ("http://host/p@q", "http://host/p@q"),
            ("not a url", "not a url"),
        ])
    func redaction(url: String, expected: String) {
        #expect(URLRedaction.redact(url) == expected)
    }

    @Test("error details lose user information and the query too")
    func scrub() {
        let detail = ErrorMessage.scrub("proxy said robot:pw and sig=1&t=2", of: "http://robot:pw@h/x?sig=1&t=2")
        #expect(detail == "proxy said *** and ***")
        #expect(
            ErrorMessage.make(method: .patch, url: "https://a:b@h/x?y", detail: "boom") == "PATCH https://h/x: boom")
    }

    @Test("header lines: status lines reset, folding joins, values are trimmed")
    func headerParsing() {
        let state = TransferState(bodyLimit: 10, cancellation: nil)
        for line in [
            "HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "Content-Type:  text/plain \r\n",
            "X-Long: one\r\n", "\ttwo\r\n", "no colon\r\n", "X-Empty:\r\n", "\r\n",
        ] {
            Array(line.utf8).withUnsafeBytes { state.receiveHeaderLine($0) }
        }
        #expect(state.headers.map(\.0) == ["Content-Type", "X-Long", "X-Empty"])
        #expect(state.headers.map(\.1) == ["text/plain", "one two", ""])
        Array("HTTP/2 301\r\n".utf8).withUnsafeBytes { state.receiveHeaderLine($0) }
        #expect(state.headers.isEmpty)
    }

    @Test("isTransient is true for connection failures and timeouts only")
    func transient() {
        let kinds: [HTTPClientError.Kind] = [
            .connection, .timeout, .tls, .invalidRequest, .tooLarge, .cancelled, .other,
        ]
        #expect(kinds.filter { HTTPClientError(kind: $0, message: "").isTransient } == [.connection, .timeout])
    }

    @Test("request and response header lookups ignore case")
    func headerLookup() {
        let request = HTTPRequest(url: "http://h/", headers: [("content-TYPE", "a"), ("Content-Type", "b")])
        #expect(request.header("Content-Type") == "a")
        #expect(request.header("Content-Typ") == nil)
        let response = HTTPResponse(status: 200, headers: [("ETag", "\"x\"")])
        #expect(response.header("etag") == "\"x\"")
    }

    @Test("json() reports malformed bodies")
    func malformedJSON() {
        let response = HTTPResponse(status: 200, body: Array("{\"a\":".utf8))
        #expect(throws: JSONSyntaxError.self) { try response.json() }
    }

    @Test("defaults")
    func defaults() {
        let request = HTTPRequest(url: "http://h/")
        #expect(request.method == .get)
        #expect(request.timeout == .seconds(30))
        #expect(request.connectTimeout == .seconds(5))
        #expect(request.followRedirects == false)
        let client = HTTPClient()
        #expect(client.maxResponseBytes == 64 << 20)
        #expect(client.userAgent == "mimir/\(MimirVersion.current)")
        #expect(client.tls.insecureSkipVerify == false)
    }

    @Test("the pool runs queued jobs when threads are capped")
    func poolQueues() async {
        let pool = BlockingThreadPool(maximumThreads: 2, idleSeconds: 1)
        let total = await withTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        pool.submit { _ in { continuation.resume(returning: index) } }
                    }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(total == 190)
        #expect(pool.threadCount <= 2)
    }
}
