/// Who made a request: the name its token was given (never the token itself) and its role.
public struct Caller: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let role: Role

    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    /// Everyone, when authentication is switched off.
    public static let anonymous = Caller(name: "anonymous", role: .admin)

    public var description: String { "\(name) (\(role.rawValue))" }
}
