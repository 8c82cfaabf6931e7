import Synchronization

/// Loaded models kept between jobs in a worker, least recently used first out. Keyed by store root,
/// model id and resolved version, so "latest" still finds a newly saved version: resolving it costs
/// a directory listing, loading costs parsing the whole artifact.
public final class ModelCache: Sendable {
    private struct Key: Hashable {
        let root: String
        let modelID: String
        let version: Int
    }

    private struct State {
        var models: [Key: Model] = [:]
        /// Least recent first.
        var recency: [Key] = []
        var hits = 0
        var misses = 0
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 8) {
        self.capacity = max(1, capacity)
    }

    /// The model from the cache, or loaded from `store` and cached. Two threads missing on the same
    /// model may both load it; the second simply replaces the first.
    public func model(in store: ModelStore, modelID: String, version: Int? = nil) throws(MLError) -> Model {
        let resolved = try store.resolve(modelID: modelID, version: version)
        let key = Key(root: store.root, modelID: modelID, version: resolved)
        let cached: Model? = state.withLock { state in
            guard let model = state.models[key] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            state.recency.removeAll { $0 == key }
            state.recency.append(key)
            return model
        }
        if let cached { return cached }
        let model = try store.load(modelID: modelID, version: resolved)
        state.withLock { state in
            if state.models.updateValue(model, forKey: key) == nil {
                state.recency.append(key)
            }
            while state.recency.count > capacity {
                state.models[state.recency.removeFirst()] = nil
            }
        }
        return model
    }

    public var count: Int { state.withLock { $0.models.count } }
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    public func removeAll() { state.withLock { $0 = State() } }
}
