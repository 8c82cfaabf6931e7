import MimirHTTPClient
import Testing

@Suite("TLS", .enabled(if: TLSFixture.available, "needs the openssl command to make certificates"))
struct TLSTests {
    @Test("the server's CA file makes verification succeed")
    func trustedByCAFile() throws {
        let files = try TLSFixture.files.get()
        let server = try TestServer.tls.get()
        let client = HTTPClient(tls: TLSOptions(caFile: files.serverCertificate))
        for host in ["127.0.0.1", "localhost"] {
            let response = try client.send(
                HTTPRequest(method: .post, url: server.url("/mirror", host: host), body: [0, 1]))
            #expect(response.status == 200)
            #expect(response.body == [0, 1])
        }
    }

    @Test("without the CA file the handshake fails with .tls")
    func untrusted() throws {
        let server = try TestServer.tls.get()
        let error = expectClientError { () throws(HTTPClientError) in
            try HTTPClient().send(HTTPRequest(url: server.url("/echo")))
        }
        #expect(error?.kind == .tls)
        #expect(error?.isTransient == false)
        #expect(error?.message.hasPrefix("GET \(server.url("/echo")): ") == true)
    }

    @Test("a CA file that does not exist fails with .tls")
    func missingCAFile() throws {
        let server = try TestServer.tls.get()
        let client = HTTPClient(tls: TLSOptions(caFile: "/nonexistent/ca.crt"))
        let error = expectClientError { () throws(HTTPClientError) in
            try client.send(HTTPRequest(url: server.url("/echo")))
        }
        #expect(error?.kind == .tls)
    }

    @Test("insecureSkipVerify accepts the unknown certificate")
    func insecure() throws {
        let server = try TestServer.tls.get()
        let client = HTTPClient(tls: TLSOptions(insecureSkipVerify: true))
        #expect(try client.send(HTTPRequest(url: server.url("/status/204"))).status == 204)
    }

    @Test("a client certificate satisfies a server that requires one")
    func mutualTLS() throws {
        let files = try TLSFixture.files.get()
        let client = HTTPClient(
            tls: TLSOptions(
                caFile: files.serverCertificate, clientCertificate: files.clientCertificate, clientKey: files.clientKey)
        )
        for server in [try TestServer.mutualTLS.get(), try TestServer.mutualTLS12.get()] {
            #expect(try client.send(HTTPRequest(url: server.url("/status/200"))).status == 200)
        }
    }

    @Test("no client certificate where one is required: .tls when the handshake says so")
    func missingClientCertificate() throws {
        let files = try TLSFixture.files.get()
        let anonymous = HTTPClient(tls: TLSOptions(caFile: files.serverCertificate))
        // TLS 1.2 refuses during the handshake.
        let server12 = try TestServer.mutualTLS12.get()
        let refused = expectClientError { () throws(HTTPClientError) in
            try anonymous.send(HTTPRequest(url: server12.url("/status/200")))
        }
        #expect(refused?.kind == .tls, "\(String(describing: refused))")
        // TLS 1.3 finishes the client's side of the handshake first, then the server sends an
        // alert and closes: .tls when curl reads the alert, .connection when the close wins.
        let server13 = try TestServer.mutualTLS.get()
        let closed = expectClientError { () throws(HTTPClientError) in
            try anonymous.send(HTTPRequest(url: server13.url("/status/200")))
        }
        #expect(closed?.kind == .tls || closed?.kind == .connection, "\(String(describing: closed))")
    }
}
