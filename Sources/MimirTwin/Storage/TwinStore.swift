import Logging
import MimirCore
import MimirRedis

/// The twin's Redis side: loads the state an update computes from and commits versions, each
/// a single call of a `mimir_twin` function.
public final class TwinStore: Sendable {
    public let namespace: String
    let redis: RedisClient
    let logger: Logger

    public init(redis: RedisClient, namespace: String, logger: Logger = Logger(label: "mimir.twin")) {
        self.redis = redis
        self.namespace = namespace
        self.logger = logger
    }

    /// Loads (or replaces) the `mimir_twin` function library. Optional: calls load it themselves
    /// when Redis reports it missing.
    public func prepare() async throws(TwinError) {
        do {
            _ = try await redis.execute(["FUNCTION", "LOAD", "REPLACE", TwinFunctions.library])
        } catch {
            throw error.kind == .server && !error.isPassingRefusal
                ? .corrupt("loading the mimir_twin function library: \(error)") : .unavailable(error)
        }
    }

    /// Calls a function of the library, loading the library once if Redis does not have it
    /// (first use, or a restart without persistence).
    func call(_ function: TwinFunctions.Name, twinID: String, _ arguments: [String]) async throws(TwinError)
        -> RedisReply
    {
        let command =
            [function.isReadOnly ? "FCALL_RO" : "FCALL", function.rawValue, "0", namespace, twinID] + arguments
        do {
            return try await redis.execute(command)
        } catch let error where error.kind == .server && error.reason.contains("Function not found") {
            logger.info("loading the mimir_twin function library into Redis")
            try await prepare()
            do {
                return try await redis.execute(command)
            } catch {
                throw TwinError.from(error, twinID: twinID)
            }
        } catch {
            throw TwinError.from(error, twinID: twinID)
        }
    }

    /// A twin's state with the recent values of `attributes`; `nil` when the twin does not exist.
    func load(twinID: String, attributes: [EntityAttribute]) async throws(TwinError) -> StoredTwin? {
        let reply = try await call(.load, twinID: twinID, attributes.flatMap { [$0.entity, $0.attribute] })
        guard let parts = reply.array, parts.count == 7, let version = parts[0].int else {
            throw .corrupt("mimir_twin_load answered \(reply)")
        }
        guard version > 0 else { return nil }
        guard let schemaText = parts[1].string, let flat = parts[5].array, let lists = parts[6].array,
            lists.count == attributes.count
        else {
            throw .corrupt("mimir_twin_load answered \(reply)")
        }
        let schema: TwinSchema
        do {
            schema = try TwinSchema.parse(text: schemaText)
        } catch {
            throw .corrupt("twin \(twinID)'s stored schema no longer reads: \(error)")
        }
        var entities: [String: TwinEntity] = [:]
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            guard let id = flat[index].string, let entity = Self.entity(flat[index + 1]) else {
                throw .corrupt("twin \(twinID) holds an unreadable entity \(flat[index])")
            }
            entities[id] = entity
        }
        var recent: [EntityAttribute: [RecentValue]] = [:]
        for (key, list) in zip(attributes, lists) {
            recent[key] = (list.array ?? []).compactMap { $0.string.flatMap(Self.recentValue) }
        }
        return StoredTwin(
            state: TwinState(twinID: twinID, schema: schema, version: version, entities: entities, recent: recent),
            createdAt: parts[2].int, updatedAt: parts[3].int, oldestVersion: parts[4].int ?? 1)
    }

    enum CommitOutcome: Equatable {
        case committed(version: Int64)
        /// Another update committed first; the twin is now at `current`.
        case conflict(current: Int64)
    }

    /// Commits `changes` as version `expectedVersion + 1` if the twin is still at `expectedVersion`.
    func commit(
        twinID: String, expectedVersion: Int64, now: Int64, entry: JSONValue, newSchema: TwinSchema?,
        changes: TwinChangeSet, historyLimit: Int
    ) async throws(TwinError) -> CommitOutcome {
        var arguments = [
            String(expectedVersion), String(now), String(historyLimit), entry.jsonText(),
            newSchema?.document.jsonText() ?? "", String(changes.changedEntities.count),
        ]
        for entity in changes.changedEntities { arguments += [entity.id, entity.json.jsonText()] }
        for append in changes.appends {
            arguments += [append.key.entity, append.key.attribute, String(append.keep), append.value.json.jsonText()]
        }
        let reply = try await call(.commit, twinID: twinID, arguments)
        guard let parts = reply.array, parts.count == 2, let outcome = parts[0].string, let version = parts[1].int
        else {
            throw .corrupt("mimir_twin_commit answered \(reply)")
        }
        return outcome == "committed" ? .committed(version: version) : .conflict(current: version)
    }

    static func entity(_ reply: RedisReply) -> TwinEntity? {
        guard let text = reply.string, let json = try? JSONValue.parse(text) else { return nil }
        return TwinEntity(json: json)
    }

    static func recentValue(_ text: String) -> RecentValue? {
        (try? JSONValue.parse(text)).flatMap(RecentValue.init(json:))
    }
}

/// A twin as loaded, with the bookkeeping the read API shows.
struct StoredTwin: Sendable {
    let state: TwinState
    let createdAt: Int64?
    let updatedAt: Int64?
    let oldestVersion: Int64
}
