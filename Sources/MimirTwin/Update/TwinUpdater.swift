import Logging
import MimirCore
import MimirRedis

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The entry point of the `digital_twin_update` job: defines a twin or applies a batch, and
/// commits it as a new version.
///
/// Concurrency is optimistic: an update reads the twin at version N, computes its change set in
/// Swift (no lock held meanwhile), and commits "if still at N" in one Redis function call. When
/// another update committed first, this one reads again, recomputes against the newer state and
/// tries again, up to ``Configuration/maxAttempts`` times; so two updates never lose each other,
/// and a twin under constant write pressure fails a job clearly instead of silently.
public struct TwinUpdater: Sendable {
    public struct Configuration: Sendable {
        /// Read–compute–commit rounds before giving up with ``TwinError/conflict(twinID:attempts:)``.
        public var maxAttempts: Int
        /// History entries kept per twin; older ones are dropped at commit.
        public var historyLimit: Int

        public init(maxAttempts: Int = 8, historyLimit: Int = 10_000) {
            self.maxAttempts = max(1, maxAttempts)
            self.historyLimit = max(1, historyLimit)
        }
    }

    public let store: TwinStore
    public let configuration: Configuration
    /// Milliseconds since the epoch; injectable so tests control observation times.
    let clock: @Sendable () -> Int64

    public init(
        redis: RedisClient, namespace: String, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "mimir.twin"), clock: @escaping @Sendable () -> Int64 = TwinUpdater.systemClock
    ) {
        self.store = TwinStore(redis: redis, namespace: namespace, logger: logger)
        self.configuration = configuration
        self.clock = clock
    }

    public static let systemClock: @Sendable () -> Int64 = {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded())
    }

    /// Runs one job. `parameters` is the job's `parameters` object; `observationsFromDataset`
    /// the observations the plugin read from a pipeline's dataset (see ``ObservationRows``),
    /// applied after the inline ones under the same `on_invalid` policy.
    ///
    /// Returns the result document (TWIN.md, "Result"). Throws ``TwinError``: its
    /// `isInvalidInput`/`isRetryable` choose the job's status, its `report` is the result to
    /// attach to a rejected batch.
    public func run(
        parameters: JSONValue, observationsFromDataset: [Observation]? = nil, jobID: String,
        progress: @Sendable (Double, String) -> Void = { _, _ in }, isCancelled: @Sendable () -> Bool = { false }
    ) async throws(TwinError) -> JSONValue {
        let parsed = try TwinJobParameters.parse(parameters)
        return try await run(
            parsed, observationsFromDataset: observationsFromDataset, jobID: jobID, progress: progress,
            isCancelled: isCancelled)
    }

    public func run(
        _ parameters: TwinJobParameters, observationsFromDataset: [Observation]? = nil, jobID: String,
        progress: @Sendable (Double, String) -> Void = { _, _ in }, isCancelled: @Sendable () -> Bool = { false }
    ) async throws(TwinError) -> JSONValue {
        let observations = parameters.observations + (observationsFromDataset ?? [])
        let watched = Self.watchedAttributes(parameters, observations)
        for attempt in 1...configuration.maxAttempts {
            if isCancelled() { throw .cancelled }
            progress(0.1, attempt == 1 ? "reading twin \(parameters.twinID)" : "reading again (attempt \(attempt))")
            let state = try await currentState(parameters, watched: watched)
            let now = clock()
            let changes = try TwinComputation.compute(
                state: state, parameters: parameters, observations: observations, now: now)
            progress(0.6, "computed \(changes.changes.count) change(s), \(changes.derived.count) derived")
            var report = UpdateReport(
                parameters: parameters, baseVersion: state.version, attempts: attempt, changes: changes)
            if parameters.whatIf || changes.isEmpty { return report.json }
            if isCancelled() { throw .cancelled }
            let entry = changes.historyEntry(
                version: state.version + 1, committedAt: now, jobID: jobID, operation: parameters.operation)
            let outcome = try await store.commit(
                twinID: parameters.twinID, expectedVersion: state.version, now: now, entry: entry,
                newSchema: parameters.operation == .define ? state.schema : nil, changes: changes,
                historyLimit: configuration.historyLimit)
            switch outcome {
            case .committed(let version):
                progress(1, "committed version \(version)")
                report.committedVersion = version
                return report.json
            case .conflict(let current):
                store.logger.debug(
                    "twin \(parameters.twinID) moved from version \(state.version) to \(current) during the update; retrying"
                )
                // A short, growing, random pause, so that updates colliding again do not stay in step.
                let pause = Int.random(in: 1...(5 * attempt))
                try? await Task.sleep(for: .milliseconds(pause))
            }
        }
        throw .conflict(twinID: parameters.twinID, attempts: configuration.maxAttempts)
    }

    private func currentState(_ parameters: TwinJobParameters, watched: [EntityAttribute]) async throws(TwinError)
        -> TwinState
    {
        let stored = try await store.load(twinID: parameters.twinID, attributes: watched)
        switch (parameters.operation, stored, parameters.schema) {
        case (.define, .some(let existing), _):
            throw .alreadyExists(twinID: parameters.twinID, version: existing.state.version)
        case (.define, nil, .some(let schema)):
            return TwinState(twinID: parameters.twinID, schema: schema, version: 0, entities: [:])
        case (.update, .some(let existing), _):
            return existing.state
        case (.update, nil, _), (.define, nil, nil):
            throw .notFound(twinID: parameters.twinID)
        }
    }

    /// The attributes whose recent values the z-scores need: every observed one.
    private static func watchedAttributes(_ parameters: TwinJobParameters, _ observations: [Observation])
        -> [EntityAttribute]
    {
        var keys = Set(observations.map { EntityAttribute(entity: $0.entity, attribute: $0.attribute) })
        for entity in parameters.entities {
            for name in entity.attributes.keys { keys.insert(EntityAttribute(entity: entity.id, attribute: name)) }
        }
        // Names that cannot be in a key are dropped here; validation reports them.
        return keys.filter { Names.isIdentifierLike($0.entity) && Names.isIdentifier($0.attribute) }.sorted()
    }
}
