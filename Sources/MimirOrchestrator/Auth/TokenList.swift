import MimirCore

/// Reads tokens written as `role:name:secret`, one per line or separated by commas, with `#`
/// comments and blank lines ignored — the same text in a Secret-mounted file (`API_TOKENS_FILE`)
/// or in `API_TOKENS`.
///
///     # role      name     secret
///     admin:ops:8b0f0c7e64a5d2f1c9a3b7e4d6f8a2c1
///     submitter:ci:3c6e0b1f9d2a4e7c8b5f1a3d6e9c0b2f
public enum TokenList {
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `source` names where the text came from ("API_TOKENS_FILE /etc/mimir/tokens"), for errors.
    public static func parse(_ text: String, source: String) throws(ParseError) -> [APIToken] {
        var tokens: [APIToken] = []
        var problems: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for entry in content.split(separator: ",") {
                let text = entry.trimmingWhitespace()
                if text.isEmpty { continue }
                let place = "\(source) line \(number + 1)"
                let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else {
                    problems.append("\(place): expected role:name:secret")
                    continue
                }
                guard let role = Role(rawValue: String(parts[0])) else {
                    problems.append(
                        "\(place): unknown role \"\(parts[0])\" (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                    continue
                }
                guard APIToken.isValidName(parts[1]) else {
                    problems.append("\(place): name must be 1–64 characters of letters, digits and -_.@")
                    continue
                }
                // The secret itself is never repeated in a message.
                guard APIToken.isValidSecret(parts[2]) else {
                    problems.append(
                        "\(place): the secret of \"\(parts[1])\" must be at least \(APIToken.minimumSecretLength) "
                            + "characters of letters, digits and -._~+/= (e.g. openssl rand -hex 32)")
                    continue
                }
                tokens.append(APIToken(name: String(parts[1]), role: role, secret: String(parts[2])))
            }
        }
        var seenNames = Set<String>()
        for token in tokens where !seenNames.insert(token.name).inserted {
            problems.append("\(source): the name \"\(token.name)\" is given to more than one token")
        }
        for (index, token) in tokens.enumerated() where tokens[..<index].contains(where: { $0.secret == token.secret })
        {
            problems.append("\(source): \"\(token.name)\" reuses another token's secret")
        }
        guard problems.isEmpty else { throw ParseError(description: problems.joined(separator: "\n")) }
        return tokens
    }
}
