/// The tokens the API accepts, looked up in constant time: every token is compared, whatever
/// matches, so timing tells nothing about which (or whether one) matched.
public struct TokenStore: Sendable {
    public let tokens: [APIToken]

    public init(_ tokens: [APIToken]) {
        self.tokens = tokens
    }

    public func caller(presenting secret: Substring) -> Caller? {
        let presented = Array(secret.utf8)
        var found: Caller?
        for token in tokens where ConstantTime.equal(token.secret, presented) {
            found = token.caller
        }
        return found
    }
}
