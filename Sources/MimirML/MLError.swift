/// Every failure the library reports. Messages are written for the person who supplied the data:
/// they name the column and the 1-based data row (the header is not counted), so a bad cell can
/// be found in the file without a debugger.
public enum MLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A request (parameters, hyperparameters, model id) that cannot be carried out as written.
    case invalidParameters(String)
    /// Data that cannot be trained on or predicted with as it is.
    case invalidData(String)
    /// Input whose columns do not match the feature schema of the model.
    case schemaMismatch(String)
    /// The caller asked to stop; nothing was written.
    case cancelled(String)
    /// A model that is not in the store.
    case modelNotFound(String)
    /// A stored artifact that cannot be read back.
    case corruptArtifact(String)
    /// The file system refused an operation on the store.
    case storage(String)

    public var description: String {
        switch self {
        case .invalidParameters(let message): "invalid parameters: \(message)"
        case .invalidData(let message): "invalid data: \(message)"
        case .schemaMismatch(let message): "input does not match the model: \(message)"
        case .cancelled(let message): "cancelled: \(message)"
        case .modelNotFound(let message): "model not found: \(message)"
        case .corruptArtifact(let message): "unreadable model artifact: \(message)"
        case .storage(let message): "model store: \(message)"
        }
    }

    /// The message without its category, for results that carry the category separately.
    public var message: String {
        switch self {
        case .invalidParameters(let message), .invalidData(let message), .schemaMismatch(let message),
            .cancelled(let message), .modelNotFound(let message), .corruptArtifact(let message),
            .storage(let message):
            message
        }
    }

    /// Renders a cell for an error message: strings quoted, so an empty or blank value is visible.
    static func show(_ text: String) -> String {
        let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
        return "\"\(shown)\""
    }
}
