import MimirHTTPClient

/// Reads the `Status` object the API server sends with error statuses.
enum StatusResponse {
    static func error(_ response: HTTPResponse, method: HTTPMethod, path: String) -> KubernetesError {
        let status = try? response.json()
        var message = status?["message"]?.stringValue
        if message?.isEmpty != false {
            let text = response.text.trimmingWhitespace
            message = text.isEmpty ? "no message" : String(text.prefix(500))
        }
        return KubernetesError(
            kind: .status, method: method, path: path, status: response.status,
            reason: status?["reason"]?.stringValue, message: message ?? "no message",
            hint: KubernetesError.hint(status: response.status))
    }
}
