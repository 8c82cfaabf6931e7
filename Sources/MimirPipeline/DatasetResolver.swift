/// Whether a dataset reference is about to be read or written; a resolver may confine outputs
/// to a different folder, refuse to overwrite, or download inputs first.
public enum DatasetDirection: String, Sendable {
    case input
    case output
}

/// Maps a dataset reference from the definition (`"iris.csv"`, `"https://…"`) to a local file
/// path. The engine only reads and writes local files; the caller owns project folders, path
/// confinement and downloads. Throw to refuse; the error's description reaches the user as
/// `steps[i].dataset "ref": <description>`.
public typealias DatasetResolver = (_ reference: String, _ direction: DatasetDirection) throws -> String
