/// The sessions one pool thread keeps, one per client configuration, so that async requests
/// reuse connections. Confined to its thread; freed (connections closed) when the thread retires.
final class SessionCache {
    /// A thread serving more distinct clients than this starts over rather than grow without bound.
    static let capacity = 8

    private var sessions: [HTTPClient: HTTPClient.Session] = [:]

    func session(for client: HTTPClient) -> HTTPClient.Session {
        if let session = sessions[client] { return session }
        if sessions.count >= Self.capacity { sessions.removeAll() }
        let session = HTTPClient.Session(client: client)
        sessions[client] = session
        return session
    }
}
