import ArgumentParser
import Foundation
import MimirCore
import MimirHTTPClient

/// Talks to the orchestrator's REST API; turns its error answers into one-line failures.
struct APIClient {
    let baseURL: String
    /// The bearer token, or why it could not be read (said when a request needs it).
    let token: Result<String?, Failure>
    let client = HTTPClient()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func get(_ path: String) throws -> JSONValue {
        try send(HTTPRequest(url: baseURL + path))
    }

    func post(_ path: String, _ body: JSONValue? = nil, headers: [(String, String)] = []) throws -> JSONValue {
        if let body {
            return try send(HTTPRequest.json(url: baseURL + path, body: body, headers: headers))
        }
        return try send(HTTPRequest(method: .post, url: baseURL + path, headers: headers))
    }

    private func send(_ request: HTTPRequest) throws -> JSONValue {
        var request = request
        if let token = try token.get() { request.headers.append(("Authorization", "Bearer \(token)")) }
        let response: HTTPResponse
        do {
            response = try client.send(request)
        } catch {
            throw Failure(description: "cannot reach the orchestrator at \(baseURL): \(error)")
        }
        let body = (try? response.json()) ?? .null
        guard response.isSuccess else {
            let message = body["error"]?["message"]?.stringValue ?? response.text
            var text = "\(response.status): \(message)"
            if response.status == 401 {
                text += "\n  (give mimirctl a token: MIMIR_TOKEN=..., or --token-file / MIMIR_TOKEN_FILE)"
            }
            for problem in body["error"]?["problems"]?.arrayValue ?? [] {
                if let field = problem["field"]?.stringValue, let detail = problem["message"]?.stringValue {
                    text += "\n  \(field): \(detail)"
                }
            }
            throw Failure(description: text)
        }
        return body
    }
}

/// Options every subcommand shares.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Orchestrator URL. Default: $MIMIR_URL, else http://127.0.0.1:8080.")
    var url: String?

    @Option(
        help: "File holding the API token. Default: $MIMIR_TOKEN_FILE; the token itself may be given as $MIMIR_TOKEN.")
    var tokenFile: String?

    @Flag(help: "Print the API's JSON instead of text.")
    var json = false

    var client: APIClient {
        let base = url ?? Environment.value("MIMIR_URL").flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        return APIClient(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, token: token)
    }

    /// `--token-file`, else `MIMIR_TOKEN`, else `MIMIR_TOKEN_FILE`; no flag carries the token itself,
    /// since arguments are visible to every local user.
    private var token: Result<String?, APIClient.Failure> {
        let environmentFile = Environment.value("MIMIR_TOKEN_FILE").flatMap { $0.isEmpty ? nil : $0 }
        if tokenFile == nil, let token = Environment.value("MIMIR_TOKEN"), !token.isEmpty { return .success(token) }
        guard let path = tokenFile ?? environmentFile else { return .success(nil) }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            return .success(text.isEmpty ? nil : text)
        } catch {
            return .failure(
                APIClient.Failure(description: "cannot read the token file \(path): \(error.localizedDescription)"))
        }
    }
}
