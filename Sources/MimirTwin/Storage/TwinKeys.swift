/// Where a twin lives in Redis; the Lua library builds the same names (see TWIN.md, "Storage").
public struct TwinKeys: Sendable {
    public let namespace: String
    public let twinID: String

    public init(namespace: String, twinID: String) {
        self.namespace = namespace
        self.twinID = twinID
    }

    public var base: String { "\(namespace):twin:\(twinID)" }
    /// Hash: `version`, `schema`, `created_at`, `updated_at`, `oldest_version`.
    public var meta: String { "\(base):meta" }
    /// Hash: entity id → entity JSON.
    public var entities: String { "\(base):entities" }
    /// Hash: version → history entry JSON.
    public var history: String { "\(base):history" }
    /// List: the attribute's recent values, oldest first.
    public func recent(entity: String, attribute: String) -> String { "\(base):recent:\(entity):\(attribute)" }
    /// Set of every twin id in the namespace.
    public static func index(namespace: String) -> String { "\(namespace):twins" }
}
