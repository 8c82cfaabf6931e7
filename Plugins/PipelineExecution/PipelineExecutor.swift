import MimirPipeline
import MimirPluginSDK
import MimirStorage

/// `pipeline_execution`: runs a pipeline (docs/pipelines.md) given inline in `task_spec.parameters`
/// or stored in the project as `pipelines/<pipeline_id>.json`, over the project's datasets.
struct PipelineExecutor: Executor {
    static let jobType = "pipeline_execution"
    static let version = "1.0.0"
    static let summary = "Runs a data pipeline (sources, transforms, sinks) over project datasets"
    static let options = ExecutorOptions(concurrent: true, memoryHintBytes: 256 << 20)
    static let parametersSchema = PipelineParametersSchema.document

    let storageRoot: String

    init(configuration: PluginConfiguration) throws {
        storageRoot = configuration.dataDirectory.isEmpty ? "data" : configuration.dataDirectory
    }

    func execute(_ job: Job, context: JobContext) throws -> JSONValue {
        let storage: ProjectStorage
        do {
            storage = try ProjectStorage(root: storageRoot)
        } catch {
            throw ExecutorError.permanent("the storage root: \(error)")
        }
        let document = try PipelineDocument.load(job, storage: storage)
        let definition: PipelineDefinition
        do {
            definition = try PipelineDefinition.parse(document.definition)
        } catch {
            throw ExecutorError.invalidInput("\(document.origin): \(error)")
        }
        context.log(.info, "running \(document.origin): \(definition.steps.count) steps")
        let fetcher = DatasetFetcher(storage: storage)
        let downloads = try context.scratchDirectory() + "/downloads"
        let project = job.projectID
        let resolver: DatasetResolver = { reference, direction in
            switch direction {
            case .input:
                return try fetcher.localPath(
                    of: reference, project: project, downloads: downloads, isCancelled: { context.isCancelled })
            case .output:
                return try storage.outputPath(reference, project: project)
            }
        }
        let options = PipelineRunOptions(
            progress: { progress in
                context.progress(
                    progress.fraction,
                    "\(progress.rowsRead) rows, \(progress.bytesRead >> 20) of \(progress.totalBytes >> 20) MiB read")
            },
            isCancelled: { context.isCancelled })
        let result: PipelineResult
        do {
            result = try PipelineEngine.run(definition, resolver: resolver, options: options)
        } catch {
            switch error {
            case .cancelled: throw ExecutorError.cancelled
            default: throw ExecutorError.invalidInput("\(document.origin): \(error)")
            }
        }
        for output in result.outputs {
            context.addArtifact("file://\(output.path)", mediaType: Self.mediaType(output.format))
        }
        var json = result.json.objectValue ?? [:]
        if let id = document.pipelineID { json["pipeline_id"] = .string(id) }
        return .object(json)
    }

    private static func mediaType(_ format: DataFormat) -> String {
        switch format {
        case .csv: "text/csv"
        case .jsonl: "application/x-ndjson"
        case .json: "application/json"
        }
    }
}
