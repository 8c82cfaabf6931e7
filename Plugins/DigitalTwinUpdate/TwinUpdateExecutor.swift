import Logging
import MimirPipeline
import MimirPluginSDK
import MimirRedis
import MimirStorage
import MimirTwin

/// `digital_twin_update`: defines a twin or applies a batch of observations to it (inline, or
/// from the job's input datasets: CSV, JSON Lines or JSON), in the Redis the queue uses, so the orchestrator
/// serves the result at `/api/twins/{id}` (docs/twins.md).
struct TwinUpdateExecutor: Executor {
    static let jobType = "digital_twin_update"
    static let version = "1.0.0"
    static let summary = "Applies a batch of observations to a versioned digital twin"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 128 << 20)
    static let parametersSchema = TwinJobParameters.jsonSchema

    /// Opened by the first twin job: a worker that never runs one starts no Redis threads for it.
    let redis: LazyRedisClient
    let namespace: String
    let storageRoot: String

    /// The twin's Redis: plugin settings `redis_url` and `redis_namespace`, else the worker's
    /// `REDIS_URL` and `REDIS_NAMESPACE` (set by `mimir-worker serve`), else the defaults.
    init(configuration: PluginConfiguration) throws {
        let settings = configuration.settings
        let url =
            settings["redis_url"]?.stringValue ?? Environment.value("REDIS_URL").flatMap { $0.isEmpty ? nil : $0 }
            ?? "redis://127.0.0.1:6379/0"
        namespace =
            settings["redis_namespace"]?.stringValue
            ?? Environment.value("REDIS_NAMESPACE").flatMap { $0.isEmpty ? nil : $0 } ?? "mimir"
        let redisConfiguration: RedisConfiguration
        do {
            redisConfiguration = try RedisConfiguration(url: url)
        } catch {
            throw ExecutorError.permanent("DigitalTwinUpdate: redis_url: \(error)")
        }
        redis = LazyRedisClient(configuration: redisConfiguration, poolSize: max(2, configuration.workerSlots))
        storageRoot = configuration.dataDirectory.isEmpty ? "data" : configuration.dataDirectory
    }

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        let fromDatasets = try observations(in: job, context: context)
        let updater = TwinUpdater(redis: redis.client, namespace: namespace)
        let parameters = job.parameters
        let jobID = job.id
        do {
            return try awaitBlocking {
                try await updater.run(
                    parameters: parameters, observationsFromDataset: fromDatasets, jobID: jobID,
                    progress: { fraction, message in context.progress(fraction, message) },
                    isCancelled: { context.isCancelled })
            }
        } catch let error as TwinError {
            switch error {
            case .cancelled: throw ExecutorError.cancelled
            case _ where error.isInvalidInput: throw ExecutorError.invalidInput(error.description)
            case _ where error.isRetryable: throw ExecutorError.retryable(error.description)
            default: throw ExecutorError.permanent(error.description)
            }
        }
    }

    /// Observations from `data_access.input_datasets` (CSV, JSON Lines or JSON files, such as a
    /// pipeline's output, or downloaded), `nil` when the job names none.
    private func observations(in job: Job, context: JobContext) throws -> [Observation]? {
        guard let references = job.document["data_access"]?["input_datasets"]?.arrayValue, !references.isEmpty else {
            return nil
        }
        let fetcher = DatasetFetcher(storage: try storage())
        var all: [Observation] = []
        for reference in references.compactMap(\.stringValue) {
            let path: String
            do {
                path = try fetcher.localPath(
                    of: reference, project: job.projectID, downloads: try context.scratchDirectory() + "/downloads",
                    isCancelled: { context.isCancelled })
            } catch {
                throw ExecutorError.invalidInput("data_access.input_datasets: \(error)")
            }
            do {
                all += try Self.observations(inFile: path, reference: reference, isCancelled: { context.isCancelled })
            } catch let error as ExecutorError {
                throw error
            } catch {
                throw ExecutorError.invalidInput("data_access.input_datasets: \(reference): \(error)")
            }
        }
        return all
    }

    /// CSV values arrive as text and take each attribute's type; JSON values keep theirs.
    private static func observations(inFile path: String, reference: String, isCancelled: @escaping () -> Bool) throws
        -> [Observation]
    {
        let reader = try DatasetFileReader(path: path, dataset: reference, inferTypes: false, isCancelled: isCancelled)
        let records = try reader.objects()
        let isText = (DataFormat.inferred(from: reference) ?? DataFormat.inferred(from: path)) == .csv
        return try ObservationRows.observations(
            from: records.map(\.fields), valuesAreText: isText, firstRowNumber: records.first?.line ?? 1,
            label: "line")
    }

    private func storage() throws -> ProjectStorage {
        do {
            return try ProjectStorage(root: storageRoot)
        } catch {
            throw ExecutorError.permanent("the storage root: \(error)")
        }
    }
}
