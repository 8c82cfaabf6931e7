import MimirHTTPClient
import Testing

@Suite("Redirects")
struct RedirectTests {
    let client = HTTPClient()

    @Test("a redirect is returned as is by default")
    func notFollowed() throws {
        let server = try TestServer.plain.get()
        let response = try client.send(HTTPRequest(url: server.url("/redirect?to=/echo")))
        #expect(response.status == 302)
        #expect(response.header("Location") == "/echo")
        #expect(response.text == "moved")
        #expect(response.url == server.url("/redirect?to=/echo"))
    }

    @Test("followRedirects follows to the final response")
    func followed() throws {
        let server = try TestServer.plain.get()
        let response = try client.send(HTTPRequest(url: server.url("/redirect?to=/echo"), followRedirects: true))
        #expect(response.status == 200)
        #expect(response.url == server.url("/echo"))
        #expect(try Echo(response).path == "/echo")
        #expect(response.header("Location") == nil)
    }

    @Test("a 307 keeps the method and body")
    func temporaryRedirectKeepsBody() throws {
        let server = try TestServer.plain.get()
        let request = HTTPRequest(
            method: .post, url: server.url("/redirect?to=/mirror&code=307"), body: binaryBody(), followRedirects: true)
        let response = try client.send(request)
        #expect(response.status == 200)
        #expect(response.body == binaryBody())
    }

    @Test("more than five redirects is an error")
    func tooMany() throws {
        let server = try TestServer.plain.get()
        let error = expectClientError { () throws(HTTPClientError) in
            try client.send(HTTPRequest(url: server.url("/loop"), followRedirects: true))
        }
        #expect(error?.kind == .other)
        #expect(error?.message.contains("redirects") == true)
    }

    @Test("redirects to other schemes are refused")
    func otherScheme() throws {
        let server = try TestServer.plain.get()
        let error = expectClientError { () throws(HTTPClientError) in
            try client.send(HTTPRequest(url: server.url("/redirect?to=file:///etc/passwd"), followRedirects: true))
        }
        #expect(error?.kind == .invalidRequest)
    }
}
