/// One row that could not be processed. `line` is the 1-based line of the record in its input
/// file (for JSON array files, the element's 1-based position); `nil` when the row came from an
/// aggregation. `dataset` names the file when it is not the pipeline's main source.
public struct BadRow: Sendable, Hashable, CustomStringConvertible {
    public let step: Int
    public let line: Int?
    public let message: String
    public let dataset: String?

    public var description: String {
        var location = "step \(step)"
        if let dataset { location += " (\(dataset))" }
        if let line { location += ", line \(line)" }
        return "\(location): \(message)"
    }
}

/// Why a run stopped.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// The definition does not fit the data (a column missing from a real header, for example);
    /// raised before the first row is processed.
    case invalidDefinition(PipelineDefinitionError)
    /// A dataset could not be resolved, opened, read or written.
    case dataset(step: Int, dataset: String, message: String)
    /// A bad row under the `fail` policy.
    case badRow(BadRow)
    /// `isCancelled` returned true.
    case cancelled

    public var description: String {
        switch self {
        case .invalidDefinition(let error): "invalid pipeline:\n\(error)"
        case .dataset(let step, let dataset, let message): "steps[\(step)].dataset \"\(dataset)\": \(message)"
        case .badRow(let row): row.description
        case .cancelled: "pipeline cancelled"
        }
    }
}
