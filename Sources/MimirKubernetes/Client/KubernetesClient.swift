import MimirCore
import MimirHTTPClient

/// Talks to the API server over libcurl (`MimirHTTPClient`): every request runs on the HTTP
/// client's own threads, never blocking the Swift cooperative pool, and reuses kept connections.
public struct KubernetesClient: Sendable {
    public let configuration: KubernetesConfiguration
    private let http: HTTPClient
    private let tokens: BearerTokenSource

    public init(configuration: KubernetesConfiguration) {
        self.configuration = configuration
        var tls = TLSOptions(caFile: configuration.caFile, insecureSkipVerify: configuration.insecureSkipVerify)
        if case .clientCertificate(let certificate, let key) = configuration.credentials {
            tls.clientCertificate = certificate
            tls.clientKey = key
        }
        http = HTTPClient(tls: tls, userAgent: "mimir-orchestrator/\(MimirVersion.current)")
        tokens = BearerTokenSource(credentials: configuration.credentials)
    }

    /// The namespace requests use unless told otherwise.
    public var namespace: String { configuration.namespace }

    /// One API request; a 2xx response's JSON body, or the API server's Status as a
    /// `KubernetesError`. `path` starts with `/api/` or `/apis/`.
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        contentType: String = "application/json"
    ) async throws(KubernetesError) -> JSONValue {
        var headers = [("Accept", "application/json")]
        do {
            if let token = try tokens.token() { headers.append(("Authorization", "Bearer \(token)")) }
        } catch {
            throw KubernetesError(kind: .configuration, method: method, path: path, message: error.description)
        }
        if body != nil { headers.append(("Content-Type", contentType)) }
        let request = HTTPRequest(
            method: method, url: configuration.server + path + QueryString.encode(query), headers: headers,
            body: body.map { Array($0.jsonText().utf8) }, timeout: configuration.requestTimeout)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw KubernetesError(kind: .transport(error.kind), method: method, path: path, message: error.message)
        }
        guard response.isSuccess else { throw StatusResponse.error(response, method: method, path: path) }
        if response.body.isEmpty { return .null }
        do {
            return try response.json()
        } catch {
            throw KubernetesError(
                kind: .invalidResponse, method: method, path: path, status: response.status,
                message: "the response is not JSON: \(error)")
        }
    }
}
