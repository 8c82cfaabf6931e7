import MimirCore

/// The folders of a project; a bare file name is looked up in the one its direction implies.
public enum ProjectArea: String, Sendable, CaseIterable {
    case datasets, pipelines, models, twins, outputs
}

extension DatasetDirection {
    /// A bare name means `datasets/<name>` for an input and `outputs/<name>` for an output.
    var defaultArea: ProjectArea { self == .input ? .datasets : .outputs }
}
