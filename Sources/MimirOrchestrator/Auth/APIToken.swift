/// A credential the API accepts: a bearer secret with a name (for logs and the audit) and a role.
public struct APIToken: Sendable, Hashable {
    public let name: String
    public let role: Role
    let secret: [UInt8]

    public init(name: String, role: Role, secret: String) {
        self.name = name
        self.role = role
        self.secret = Array(secret.utf8)
    }

    public var caller: Caller { Caller(name: name, role: role) }

    /// Fewer characters than this are refused: a short secret can be guessed online.
    public static let minimumSecretLength = 16

    /// RFC 6750's token68 characters: what fits a bearer header unquoted.
    static func isValidSecret(_ secret: Substring) -> Bool {
        secret.count >= minimumSecretLength
            && secret.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
                    || "-._~+/=".unicodeScalars.contains($0)
            }
    }

    static func isValidName(_ name: Substring) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
                    || "-_.@".unicodeScalars.contains($0)
            }
    }
}
