import MimirCore

/// Maps a dataset reference from the definition (`"iris.csv"`, `"https://…"`) to a local file
/// path. The engine only reads and writes local files; the caller owns project folders, path
/// confinement and downloads. Throw to refuse; the error's description reaches the user as
/// `steps[i].dataset "ref": <description>`.
public typealias DatasetResolver = (_ reference: String, _ direction: DatasetDirection) throws -> String
