import MimirML
import MimirMLDatasets
import MimirPipeline
import MimirPluginSDK
import MimirStorage

/// `ml_inference`: predicts with a trained model (`task_spec.model_id`, the latest version unless
/// `model_version` says otherwise), over inline rows (predictions in the result) or a dataset
/// (predictions appended as columns, written to `output_location`). Models stay loaded between
/// jobs, a few at a time.
struct InferenceExecutor: Executor {
    static let jobType = "ml_inference"
    static let version = "1.0.0"
    static let summary = "Predicts with a trained model over a dataset or inline rows"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 512 << 20)
    static let parametersSchema: JSONValue = [
        "type": "object",
        "properties": [
            "model_version": [
                "anyOf": [["type": "integer", "minimum": 1], ["const": "latest"]], "default": "latest",
            ],
            "rows": ["type": "array", "items": ["type": "object"], "maxItems": 10_000],
            "include_probabilities": ["type": "boolean", "default": true],
        ],
        "additionalProperties": false,
    ]

    let storageRoot: String
    let cache: ModelCache

    init(configuration: PluginConfiguration) throws {
        storageRoot = configuration.dataDirectory.isEmpty ? "data" : configuration.dataDirectory
        let capacity = configuration.settings["model_cache_size"]?.int64Value ?? 8
        cache = ModelCache(capacity: Int(max(1, capacity)))
    }

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        guard let modelID = job.document["task_spec"]?["model_id"]?.stringValue else {
            throw ExecutorError.invalidInput("task_spec.model_id is required: which model to predict with")
        }
        let version = job.parameters["model_version"]?.int64Value.map(Int.init)
        let probabilities = job.parameters["include_probabilities"]?.boolValue ?? true
        let (storage, project) = try MLStorage.open(storageRoot, project: job.projectID)
        let model: Model
        do {
            model = try cache.model(in: ModelStore(root: project), modelID: modelID, version: version)
        } catch {
            throw MLStorage.executorError(error)
        }
        var result: [String: JSONValue] = [
            "model_id": .string(modelID), "model_version": model.version.map { .integer(Int64($0)) } ?? .null,
            "task": .string(model.task.rawValue), "algorithm": .string(model.algorithm.rawValue),
        ]
        if let rows = job.parameters["rows"]?.arrayValue {
            let table: Table
            do {
                table = try Table(objects: rows.compactMap(\.objectValue))
            } catch {
                throw ExecutorError.invalidInput("parameters.rows: \(error)")
            }
            let predictions = try predict(model, table)
            result["predictions"] = .array(
                (0..<predictions.count).map { predictions.json(row: $0, includeProbabilities: probabilities) })
            result["rows"] = .integer(Int64(predictions.count))
        }
        if let dataset = job.document["data_access"]?["input_datasets"]?.arrayValue?.first?.stringValue {
            guard let output = job.document["data_access"]?["output_location"]?.stringValue else {
                throw ExecutorError.invalidInput(
                    "data_access.output_location is required with input_datasets: where to write the predictions")
            }
            result["batch"] = try batch(
                model, dataset: dataset, output: output, storage: storage, job: job, context: context,
                probabilities: probabilities)
        }
        guard result["predictions"] != nil || result["batch"] != nil else {
            throw ExecutorError.invalidInput(
                "nothing to predict: give parameters.rows, or data_access.input_datasets with output_location")
        }
        return .object(result)
    }

    private func predict(_ model: Model, _ table: Table) throws -> Predictions {
        do {
            return try model.predict(table)
        } catch {
            throw MLStorage.executorError(error)
        }
    }

    private func batch(
        _ model: Model, dataset: String, output: String, storage: ProjectStorage, job: Job, context: JobContext,
        probabilities: Bool
    ) throws -> JSONValue {
        context.progress(0, "reading \(dataset)")
        let table: Table
        let path: String
        do {
            table = try DatasetTables.load(
                dataset, project: job.projectID, fetcher: DatasetFetcher(storage: storage),
                downloads: try context.scratchDirectory() + "/downloads", isCancelled: { context.isCancelled })
            path = try storage.outputPath(output, project: job.projectID)
        } catch let error as ExecutorError {
            throw error
        } catch {
            throw ExecutorError.invalidInput("data_access: \(error)")
        }
        try context.checkCancellation()
        context.progress(0.5, "predicting \(table.rowCount) rows")
        let predictions = try predict(model, table)
        let written: (rows: Int, bytes: Int64)
        do {
            written = try DatasetTables.write(
                predictions.appended(to: table, includeProbabilities: probabilities), to: path, reference: output)
        } catch {
            throw ExecutorError.invalidInput("data_access.output_location: \(error)")
        }
        context.addArtifact("file://\(path)", mediaType: nil)
        return [
            "dataset": .string(dataset), "output": .string(output), "path": .string(path),
            "rows": .integer(Int64(written.rows)), "bytes": .integer(written.bytes),
            "columns": .array(predictions.outputColumns(includeProbabilities: probabilities).map(JSONValue.string)),
        ]
    }
}
