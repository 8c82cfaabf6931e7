import MimirML
import MimirMLDatasets
import MimirPluginSDK
import MimirStorage

/// `ml_training`: trains a model on a project dataset and saves it as the next version of
/// `models/<model_id>/` in the project (docs/models.md).
struct TrainingExecutor: Executor {
    static let jobType = "ml_training"
    static let version = "1.0.0"
    static let summary = "Trains regression, classification and clustering models on project datasets"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 1 << 30)
    static let parametersSchema = TrainingParameters.schema

    let storageRoot: String

    init(configuration: PluginConfiguration) throws {
        storageRoot = configuration.dataDirectory.isEmpty ? "data" : configuration.dataDirectory
    }

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        guard let modelID = job.document["task_spec"]?["model_id"]?.stringValue else {
            throw ExecutorError.invalidInput("task_spec.model_id is required: the model to train (a new version of it)")
        }
        guard let dataset = job.document["data_access"]?["input_datasets"]?.arrayValue?.first?.stringValue else {
            throw ExecutorError.invalidInput("data_access.input_datasets is required: the dataset to train on")
        }
        let (storage, project) = try MLStorage.open(storageRoot, project: job.projectID)
        context.progress(0, "reading \(dataset)")
        let table: Table
        do {
            table = try DatasetTables.load(
                dataset, project: job.projectID, fetcher: DatasetFetcher(storage: storage),
                downloads: try context.scratchDirectory() + "/downloads", isCancelled: { context.isCancelled })
        } catch let error as ExecutorError {
            throw error
        } catch {
            throw ExecutorError.invalidInput("data_access.input_datasets[0]: \(error)")
        }
        context.log(.info, "training on \(table.rowCount) rows of \(dataset) (\(table.columns.count) columns)")
        var result: JSONValue
        do {
            result = try Trainer.trainAndSave(
                parameters: job.parameters, table: table, modelID: modelID, store: ModelStore(root: project),
                control: TrainingControl(
                    progress: { fraction, message in context.progress(fraction, message) },
                    isCancelled: { context.isCancelled }))
        } catch {
            throw MLStorage.executorError(error)
        }
        if let path = result["artifact_path"]?.stringValue {
            context.addArtifact("file://\(path)", mediaType: "application/json")
        }
        if case .object(var fields) = result {
            fields["dataset"] = .string(dataset)
            result = .object(fields)
        }
        return result
    }
}
