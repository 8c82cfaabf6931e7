/// Error messages: method, the URL without secrets, and what went wrong.
enum ErrorMessage {
    static func make(method: HTTPMethod, url: String, detail: String) -> String {
        "\(method.rawValue) \(URLRedaction.redact(url)): \(scrub(detail, of: url))"
    }

    /// `detail` with the URL's user information and query removed, in case curl quoted them.
    static func scrub(_ detail: String, of url: String) -> String {
        var text = detail
        if let userInfo = URLRedaction.userInfo(of: url) {
            text = text.replacing(userInfo, with: "***")
        }
        if let query = URLRedaction.query(of: url) {
            text = text.replacing(query, with: "***")
        }
        return text
    }
}
