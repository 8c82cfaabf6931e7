import Foundation
import MimirCore
import MimirHTTPClient
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Files the tests generate once per run: the server script and, with openssl, certificates.
enum TestFiles {
    static let directory: Result<URL, any Error> = Result {
        let url = FileManager.default.temporaryDirectory.appending(path: "mimir-http-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try ServerScript.source.write(to: url.appending(path: "server.py"), atomically: true, encoding: .utf8)
        return url
    }

    static func path(_ name: String) throws -> String {
        try directory.get().appending(path: name).path
    }

    /// An executable found on PATH.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static let python = executable("python3")
    static let openssl = executable("openssl")
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

/// A running test server. Shared ones live for the whole run; the process exits when the test
/// process closes its standard input (at exit), so no server outlives the tests.
final class TestServer: @unchecked Sendable {  // Immutable after start.
    let port: Int
    let scheme: String
    private let process: Process
    private let input: Pipe

    static let plain = Result { try TestServer.start() }
    static let tls = Result { try TestServer.start(tls: TLSFixture.files.get()) }
    static let mutualTLS = Result { try TestServer.start(tls: TLSFixture.files.get(), requireClientCertificate: true) }
    static let mutualTLS12 = Result {
        try TestServer.start(tls: TLSFixture.files.get(), requireClientCertificate: true, onlyTLS12: true)
    }

    private init(port: Int, scheme: String, process: Process, input: Pipe) {
        self.port = port
        self.scheme = scheme
        self.process = process
        self.input = input
    }

    static func start(
        tls: TLSFixture.Files? = nil, requireClientCertificate: Bool = false, onlyTLS12: Bool = false
    ) throws -> TestServer {
        guard let python = TestFiles.python else { throw TestFailure(description: "python3 not found on PATH") }
        var arguments = [try TestFiles.path("server.py")]
        if let tls {
            arguments += ["--tls", tls.serverCertificate, tls.serverKey]
            if requireClientCertificate { arguments += ["--client-ca", tls.clientCertificate] }
            if onlyTLS12 { arguments.append("--tls12") }
        }
        let process = Process()
        process.executableURL = URL(filePath: python)
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TestFailure(description: "the test server exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(text) else { throw TestFailure(description: "the test server printed \(text)") }
        return TestServer(port: port, scheme: tls == nil ? "http" : "https", process: process, input: input)
    }

    func url(_ path: String, host: String = "127.0.0.1") -> String {
        "\(scheme)://\(host):\(port)\(path)"
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}

/// A self-signed server certificate for 127.0.0.1/localhost (its own CA) and a self-signed client
/// certificate the mutual-TLS server trusts, made by the openssl command.
enum TLSFixture {
    struct Files: Sendable {
        let serverCertificate: String
        let serverKey: String
        let clientCertificate: String
        let clientKey: String
    }

    static let available = TestFiles.openssl != nil && TestFiles.python != nil

    static let files: Result<Files, any Error> = Result {
        guard let openssl = TestFiles.openssl else { throw TestFailure(description: "openssl not found on PATH") }
        let files = Files(
            serverCertificate: try TestFiles.path("server.crt"), serverKey: try TestFiles.path("server.key"),
            clientCertificate: try TestFiles.path("client.crt"), clientKey: try TestFiles.path("client.key"))
        try makeCertificate(
            openssl: openssl, certificate: files.serverCertificate, key: files.serverKey, subject: "/CN=localhost",
            extensions: ["subjectAltName=IP:127.0.0.1,DNS:localhost"])
        try makeCertificate(
            openssl: openssl, certificate: files.clientCertificate, key: files.clientKey, subject: "/CN=mimir-worker",
            extensions: ["extendedKeyUsage=clientAuth"])
        return files
    }

    private static func makeCertificate(
        openssl: String, certificate: String, key: String, subject: String, extensions: [String]
    ) throws {
        let process = Process()
        process.executableURL = URL(filePath: openssl)
        process.arguments =
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-keyout", key, "-out", certificate, "-subj", subject,
            ] + extensions.flatMap { ["-addext", $0] }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure(description: "openssl req failed with status \(process.terminationStatus)")
        }
    }
}

/// A loopback port nothing listens on: bound, then released.
func closedPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestFailure(description: "socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
        }
    }
    guard bound else { throw TestFailure(description: "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// What /echo reports about the request it received.
struct Echo {
    let method: String
    let path: String
    let headers: [(String, String)]
    let body: [UInt8]
    let connection: Int
    let clientPort: Int

    init(_ response: HTTPResponse) throws {
        let json = try response.json()
        method = json["method"]?.stringValue ?? ""
        path = json["path"]?.stringValue ?? ""
        headers = (json["headers"]?.arrayValue ?? []).compactMap { pair in
            guard let name = pair.arrayValue?.first?.stringValue, let value = pair.arrayValue?.last?.stringValue
            else { return nil }
            return (name, value)
        }
        body = try Self.bytes(hex: json["body_hex"]?.stringValue ?? "")
        connection = Int(json["connection"]?.int64Value ?? -1)
        clientPort = Int(json["client_port"]?.int64Value ?? -1)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    private static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                throw TestFailure(description: "bad hex in echo body")
            }
            return byte
        }
    }
}

/// Every byte value, NULs included, several times over.
func binaryBody(count: Int = 4096) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }
}

/// The error `body` throws, or a test failure when it throws none.
func expectClientError(
    _ body: () throws(HTTPClientError) -> HTTPResponse, sourceLocation: SourceLocation = #_sourceLocation
) -> HTTPClientError? {
    do {
        let response = try body()
        Issue.record("expected an HTTPClientError, got status \(response.status)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

func expectClientError(
    _ body: () async throws(HTTPClientError) -> HTTPResponse, sourceLocation: SourceLocation = #_sourceLocation
) async -> HTTPClientError? {
    do {
        let response = try await body()
        Issue.record("expected an HTTPClientError, got status \(response.status)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
