import MimirCore

extension HTTPRequest {
    /// A request whose body is `body` as JSON text, with `Content-Type: application/json` first
    /// and then `headers`.
    public static func json(
        method: HTTPMethod = .post, url: String, body: JSONValue, headers: [(String, String)] = [],
        timeout: Duration = .seconds(30)
    ) -> HTTPRequest {
        HTTPRequest(
            method: method, url: url, headers: [("Content-Type", "application/json")] + headers,
            body: Array(body.jsonText().utf8), timeout: timeout)
    }
}
