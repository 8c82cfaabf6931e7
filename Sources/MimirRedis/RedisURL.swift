import MimirCore

extension RedisConfiguration {
    /// Parses `redis://[[username]:password@]host[:port][/db]`, the form `REDIS_URL`-style settings
    /// use, keeping the other settings at their defaults.
    ///
    /// User name and password are percent-decoded, so a password may hold any character (`%40` for `@`).
    /// Errors name the part that is wrong but never repeat the URL's text: a malformed URL may have
    /// its password where the host or port should be.
    public init(url: String) throws(RedisError) {
        self.init()
        try RedisURL.parse(url, into: &self)
    }
}

/// The parsing behind ``RedisConfiguration/init(url:)``.
enum RedisURL {
    static let form = "redis://[[username]:password@]host[:port][/db]"

    static func parse(_ url: String, into configuration: inout RedisConfiguration) throws(RedisError) {
        let text = url.trimmingWhitespace()
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw invalid("it does not start with redis:// (expected \(form))")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        switch scheme {
        case "redis":
            break
        case "rediss":
            throw invalid("TLS is not supported (rediss://): this client speaks plain TCP only; use redis://")
        case "unix", "redis+unix", "redis-socket":
            throw invalid("Unix sockets are not supported; use redis://host:port")
        default:
            // Named only when it looks like a scheme (http, tcp): a password never reaches this
            // message even from a URL such as "hunter2://".
            let shown = scheme.count <= 8 && scheme.allSatisfy { $0.isASCII && $0.isLetter }
            throw invalid("unsupported scheme\(shown ? " '\(scheme)'" : ""); only redis:// is supported")
        }

        // The last "@" ends the credentials, so an unencoded "@", "/" or "?" in a password still parses.
        var rest = text[schemeEnd.upperBound...]
        if let at = rest.lastIndex(of: "@") {
            try parseCredentials(rest[..<at], into: &configuration)
            rest = rest[rest.index(after: at)...]
        }
        if rest.contains("?") || rest.contains("#") {
            throw invalid("query parameters and fragments are not supported (expected \(form))")
        }

        let authority: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            try parseDatabase(rest[rest.index(after: slash)...], into: &configuration)
        } else {
            authority = rest
        }
        try parseHostAndPort(authority, into: &configuration)
    }

    private static func parseCredentials(_ userInfo: Substring, into configuration: inout RedisConfiguration)
        throws(RedisError)
    {
        guard let colon = userInfo.firstIndex(of: ":") else {
            throw invalid("the credentials before '@' need a ':' (write :password@ or username:password@)")
        }
        guard let username = percentDecode(userInfo[..<colon]) else {
            throw invalid("the username has an invalid percent-encoding (%XX) or is not UTF-8")
        }
        guard let password = percentDecode(userInfo[userInfo.index(after: colon)...]) else {
            throw invalid("the password has an invalid percent-encoding (%XX) or is not UTF-8")
        }
        if password.isEmpty {
            throw invalid("the password is empty; leave out the credentials to connect without one")
        }
        configuration.username = username.isEmpty ? nil : username
        configuration.password = password
    }

    private static func parseDatabase(_ path: Substring, into configuration: inout RedisConfiguration)
        throws(RedisError)
    {
        if path.isEmpty { return }
        guard path.count <= 9, path.allSatisfy({ $0.isASCII && $0.isNumber }), let database = Int(path) else {
            throw invalid("the database after '/' must be a number such as /0")
        }
        configuration.database = database
    }

    private static func parseHostAndPort(_ authority: Substring, into configuration: inout RedisConfiguration)
        throws(RedisError)
    {
        let host: Substring
        let port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw invalid("an IPv6 address lacks its closing ']'")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterHost = authority[authority.index(after: close)...]
            if afterHost.isEmpty {
                port = nil
            } else if afterHost.hasPrefix(":") {
                port = afterHost.dropFirst()
            } else {
                throw invalid("only ':port' may follow an IPv6 address in brackets")
            }
            if !host.contains(":") { throw invalid("brackets are for IPv6 addresses only") }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count > 2 { throw invalid("an IPv6 address must be written in brackets, as [::1]") }
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
        }
        if host.isEmpty { throw invalid("the host is missing") }
        if !host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:%".contains($0)) }) {
            throw invalid("the host has characters a host name or IP address cannot have")
        }
        configuration.host = String(host)
        if let port {
            guard port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port),
                (1...65_535).contains(number)
            else {
                throw invalid("the port must be a number from 1 to 65535")
            }
            configuration.port = number
        }
    }

    private static func invalid(_ reason: String) -> RedisError {
        RedisError(kind: .configuration, server: nil, command: nil, reason: "invalid URL: \(reason)")
    }

    /// `nil` for a malformed escape or bytes that are not UTF-8.
    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "-._~".unicodeScalars.contains(scalar))
            {
                result.unicodeScalars.append(scalar)
            } else {
                result +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
