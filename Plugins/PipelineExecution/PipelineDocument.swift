import MimirPluginSDK
import MimirStorage

/// The pipeline a job runs: its parameters, or the project's stored definition named by
/// `task_spec.pipeline_id`, with the job's `data_access` filling a source or final sink that
/// names no dataset.
struct PipelineDocument {
    var definition: JSONValue
    var pipelineID: String?
    /// Where the definition came from, for error messages.
    var origin: String

    static func load(_ job: Job, storage: ProjectStorage) throws -> PipelineDocument {
        let parameters = job.parameters.objectValue ?? [:]
        let pipelineID = job.document["task_spec"]?["pipeline_id"]?.stringValue
        var document: PipelineDocument
        if parameters["steps"] != nil {
            document = PipelineDocument(definition: job.parameters, pipelineID: pipelineID, origin: "parameters")
        } else if let pipelineID {
            document = try stored(pipelineID, project: job.projectID, storage: storage)
        } else {
            throw ExecutorError.invalidInput(
                "give the pipeline inline as task_spec.parameters.steps or by task_spec.pipeline_id")
        }
        document.fillDatasets(from: job.document["data_access"])
        return document
    }

    private static func stored(_ id: String, project: String, storage: ProjectStorage) throws -> PipelineDocument {
        guard Identifiers.isValidProjectID(id) else {
            throw ExecutorError.invalidInput("task_spec.pipeline_id: \"\(id)\" is not a pipeline id ([A-Za-z0-9_.-])")
        }
        let reference = "pipelines/\(id).json"
        let text: String
        do {
            guard case .file(let path) = try storage.resolve(reference, project: project, direction: .input) else {
                throw StorageError(reference: reference, reason: "not a file")
            }
            text = try LocalFile.readText(path)
        } catch {
            throw ExecutorError.invalidInput("task_spec.pipeline_id \(id): \(error)")
        }
        do {
            return PipelineDocument(
                definition: try JSONValue.parse(text), pipelineID: id, origin: "pipeline \(id) (\(reference))")
        } catch {
            throw ExecutorError.invalidInput("pipeline \(id) (\(reference)) is not valid JSON: \(error)")
        }
    }

    /// A `source` without `dataset` reads `input_datasets[0]`; the last step, a `sink` without
    /// `dataset`, writes `output_location`.
    mutating func fillDatasets(from access: JSONValue?) {
        guard var fields = definition.objectValue, var steps = fields["steps"]?.arrayValue, !steps.isEmpty else {
            return
        }
        if let input = access?["input_datasets"]?.arrayValue?.first?.stringValue,
            var first = steps[0].objectValue, first["kind"] == "source", first["dataset"] == nil
        {
            first["dataset"] = .string(input)
            steps[0] = .object(first)
        }
        if let output = access?["output_location"]?.stringValue,
            var last = steps[steps.count - 1].objectValue, last["kind"] == "sink", last["dataset"] == nil
        {
            last["dataset"] = .string(output)
            steps[steps.count - 1] = .object(last)
        }
        fields["steps"] = .array(steps)
        definition = .object(fields)
    }
}
