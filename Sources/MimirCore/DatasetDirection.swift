/// Whether a dataset reference is about to be read or written: storage resolves the two
/// differently (only inputs may be downloaded), and a pipeline asks for each of its datasets.
public enum DatasetDirection: String, Sendable {
    case input
    case output
}
