/// URLs as they may appear in messages: user information (`user:password@`), query and fragment
/// removed, scheme, host, port and path kept. Query strings often carry tokens and signatures.
enum URLRedaction {
    static func redact(_ url: String) -> String {
        var text = Substring(url)
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            text = text[..<cut]
        }
        let prefix: Substring
        let rest: Substring
        if let separator = text.firstRange(of: "://") {
            prefix = text[..<separator.upperBound]
            rest = text[separator.upperBound...]
        } else {
            prefix = ""
            rest = text
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return String(text) }
        return String(prefix) + String(rest[rest.index(after: at)...])
    }

    /// The `user:password` part of `url`, to scrub from text that did not come from us.
    static func userInfo(of url: String) -> Substring? {
        let afterScheme = url.firstRange(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let info = authority[..<at]
        return info.isEmpty ? nil : info
    }
}

extension URLRedaction {
    /// The text after `?` (up to any fragment), when there is some.
    static func query(of url: String) -> Substring? {
        guard let mark = url.firstIndex(of: "?") else { return nil }
        let rest = url[url.index(after: mark)...]
        let query = rest[..<(rest.firstIndex(of: "#") ?? rest.endIndex)]
        return query.isEmpty ? nil : query
    }
}
