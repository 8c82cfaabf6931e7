/// JSON Pointers (RFC 6901): escaping reference tokens for display, and parsing the `#/...` fragments of `$ref`.
enum JSONPointer {
    /// Escapes one reference token: "~" becomes "~0" and "/" becomes "~1" (in that order, per RFC 6901).
    static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        return token.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    /// Renders tokens as a pointer string: [] is "", ["a", "b/c"] is "/a/b~1c".
    static func render(_ tokens: some Sequence<String>) -> String {
        tokens.reduce(into: "") { pointer, token in
            pointer += "/" + escape(token)
        }
    }

    /// Parses a pointer string into unescaped tokens; `nil` when it is not a valid pointer.
    static func parse(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for rawToken in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let token = unescape(rawToken) else { return nil }
            tokens.append(token)
        }
        return tokens
    }

    /// "~1" to "/", then "~0" to "~"; any other use of "~" makes the pointer invalid.
    private static func unescape(_ token: Substring) -> String? {
        var result = ""
        var iterator = token.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default: return nil
            }
        }
        return result
    }

    /// Decodes the %XX escapes a URI fragment may use (e.g. "#/$defs/a%20b"); `nil` on a malformed escape.
    static func percentDecode(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// One step into an instance. Indices stay numeric so violations sort "/steps/2" before "/steps/10".
enum InstancePathComponent: Sendable, Hashable, Comparable {
    case index(Int)
    case key(String)

    var token: String {
        switch self {
        case .index(let index): String(index)
        case .key(let key): key
        }
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.index(let left), .index(let right)): left < right
        case (.key(let left), .key(let right)): left < right
        case (.index, .key): true
        case (.key, .index): false
        }
    }
}
