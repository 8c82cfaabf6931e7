import ArgumentParser
import MimirCore
import MimirHTTPClient

/// Talks to the orchestrator's REST API; turns its error answers into one-line failures.
struct APIClient {
    let baseURL: String
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

    @Flag(help: "Print the API's JSON instead of text.")
    var json = false

    var client: APIClient {
        let base = url ?? Environment.value("MIMIR_URL").flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        return APIClient(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base)
    }
}
