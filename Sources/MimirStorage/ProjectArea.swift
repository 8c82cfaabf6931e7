/// The folders of a project; a bare file name is looked up in the one its direction implies.
public enum ProjectArea: String, Sendable, CaseIterable {
    case datasets, pipelines, models, twins, outputs
}

/// Whether a reference is read or written: only inputs may be downloaded, and a bare name means
/// `datasets/<name>` for an input and `outputs/<name>` for an output.
public enum DatasetDirection: Sendable {
    case input, output

    var defaultArea: ProjectArea { self == .input ? .datasets : .outputs }
}
