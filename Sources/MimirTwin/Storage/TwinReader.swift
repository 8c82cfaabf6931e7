import MimirCore
import MimirRedis

/// The orchestrator's read API: `GET /api/twins/{id}`, `…/history`, `…/entities/{entity}`.
/// Each read is one read-only function call, so it sees one committed version. The documents'
/// shapes are in TWIN.md ("Read API").
public struct TwinReader: Sendable {
    let store: TwinStore

    public init(redis: RedisClient, namespace: String) {
        self.store = TwinStore(redis: redis, namespace: namespace)
    }

    public init(store: TwinStore) {
        self.store = store
    }

    /// `{"twin_id", "version", "created_at", "updated_at", "schema", "entities": {id: entity}}`.
    public func state(twinID: String) async throws(TwinError) -> JSONValue {
        guard let stored = try await store.load(twinID: twinID, attributes: []) else {
            throw .notFound(twinID: twinID)
        }
        return [
            "twin_id": .string(twinID), "version": .integer(stored.state.version),
            "created_at": Self.time(stored.createdAt), "updated_at": Self.time(stored.updatedAt),
            "schema": stored.state.schema.document,
            "entities": .object(stored.state.entities.mapValues(\.json)),
        ]
    }

    /// History newest first: `{"twin_id", "version", "oldest_version", "entries": [...],
    /// "next_before"}`; pass `next_before` as `before` for the next page (null on the last page).
    public func history(twinID: String, before: Int64? = nil, limit: Int = 20) async throws(TwinError) -> JSONValue {
        let limit = min(max(limit, 1), 500)
        let reply = try await store.call(.history, twinID: twinID, [before.map(String.init) ?? "", String(limit)])
        guard let parts = reply.array, parts.count == 3, let version = parts[0].int, let oldest = parts[1].int,
            let texts = parts[2].array?.compactMap(\.string)
        else {
            throw .corrupt("mimir_twin_history answered \(reply)")
        }
        var entries: [JSONValue] = []
        for text in texts {
            guard let entry = try? JSONValue.parse(text) else {
                throw .corrupt("twin \(twinID): unreadable history entry")
            }
            entries.append(entry)
        }
        let lowest = entries.last?["version"]?.int64Value
        let next: JSONValue = lowest.map { $0 > oldest ? .integer($0) : .null } ?? .null
        return [
            "twin_id": .string(twinID), "version": .integer(version), "oldest_version": .integer(oldest),
            "entries": .array(entries), "next_before": next,
        ]
    }

    /// `{"twin_id", "version", "entity": {...}, "derived_attributes": [...], "recent": {attribute:
    /// [{"value", "timestamp", "version"}, ...] newest first}}`.
    public func entity(twinID: String, entityID: String, recent: Int = 20) async throws(TwinError) -> JSONValue {
        let count = min(max(recent, 1), 10_000)
        let reply: RedisReply
        do {
            reply = try await store.call(.entity, twinID: twinID, [entityID, String(count)])
        } catch TwinError.corrupt(let detail) where detail.contains("NOENTITY") {
            throw .entityNotFound(twinID: twinID, entity: entityID)
        }
        guard let parts = reply.array, parts.count == 4, let version = parts[0].int,
            let entity = TwinStore.entity(parts[2]), let flat = parts[3].array
        else {
            throw .corrupt("mimir_twin_entity answered \(reply)")
        }
        let schema = parts[1].string.flatMap { try? TwinSchema.parse(text: $0) }
        let derived = schema?.entityTypes[entity.type]?.attributes.values.filter(\.isDerived).map(\.name).sorted() ?? []
        var recentValues: [String: JSONValue] = [:]
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            guard let name = flat[index].string else { continue }
            let values = (flat[index + 1].array ?? []).compactMap { $0.string.flatMap(TwinStore.recentValue) }
            recentValues[name] = .array(values.reversed().map(\.json))
        }
        return [
            "twin_id": .string(twinID), "version": .integer(version), "entity": entity.json,
            "derived_attributes": .array(derived.map(JSONValue.string)), "recent": .object(recentValues),
        ]
    }

    private static func time(_ milliseconds: Int64?) -> JSONValue {
        milliseconds.map { .string(TwinTimestamp.format($0)) } ?? .null
    }
}
