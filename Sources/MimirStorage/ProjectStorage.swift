import MimirCore

#if canImport(Glibc)
    import Glibc
#endif

/// The storage root (`MIMIR_DATA_DIR`) shared by the orchestrator and workers: one folder per
/// project, `projects/<project_id>/{datasets,pipelines,models,twins,outputs}`.
///
/// Every reference a job gives is resolved here, and nothing it names may lie outside: a relative
/// path stays inside its project folder, a `file://` URI or absolute path inside the root, and
/// neither `..` nor a symbolic link can lead out. Checks are made on the path as it is when the
/// job resolves it; the root is trusted not to be rearranged under a running job.
public struct ProjectStorage: Sendable {
    /// The root, absolute and with symbolic links resolved.
    public let root: String

    /// Creates the root if it does not exist.
    public init(root: String) throws(StorageError) {
        guard !root.isEmpty else { throw StorageError(reference: root, reason: "the storage root is not set") }
        Self.makeDirectories(root)
        guard let resolved = PathConfinement.realPath(root) else {
            throw StorageError(
                reference: root,
                reason: "the storage root cannot be created or read: \(String(cString: strerror(errno)))")
        }
        self.root = resolved
    }

    /// Jobs without a project share this one.
    public static let defaultProject = "default"

    /// The project's folder (created with its areas on first use).
    public func projectDirectory(_ project: String) throws(StorageError) -> String {
        let id = project.isEmpty ? Self.defaultProject : project
        guard Identifiers.isValidProjectID(id) else {
            throw StorageError(reference: project, reason: "not a project id (\(Identifiers.projectIDRule))")
        }
        let directory = "\(root)/projects/\(id)"
        for area in ProjectArea.allCases { Self.makeDirectories("\(directory)/\(area.rawValue)") }
        guard let physical = PathConfinement.physical(directory), PathConfinement.isInside(physical, root) else {
            throw StorageError(reference: project, reason: "the project folder leads outside the storage root")
        }
        return physical
    }

    /// Where a reference points. Inputs may be `http(s)://` URLs; everything else is a file here.
    public func resolve(_ reference: String, project: String, direction: DatasetDirection) throws(StorageError)
        -> DatasetLocation
    {
        guard !reference.isEmpty, !reference.utf8.contains(0) else {
            throw StorageError(reference: reference, reason: "a dataset reference must be a non-empty string")
        }
        if let colon = reference.firstIndex(of: ":"), let scheme = Self.scheme(reference[..<colon]) {
            switch scheme {
            case "http", "https":
                guard direction == .input else {
                    throw StorageError(
                        reference: reference,
                        reason: "outputs are written into the project folder; \(scheme):// outputs are not supported")
                }
                return .http(url: reference)
            case "file":
                return .file(path: try fileURIPath(reference))
            case "s3":
                throw StorageError(reference: reference, reason: "s3:// is not supported yet")
            default:
                throw StorageError(
                    reference: reference,
                    reason: "unsupported scheme \(scheme):// (use a path in the project, file:// or http(s)://)")
            }
        }
        if reference.hasPrefix("/") { return .file(path: try confined(reference, to: root, reference: reference)) }
        let folder = try projectDirectory(project)
        let relative = reference.contains("/") ? reference : "\(direction.defaultArea.rawValue)/\(reference)"
        guard let joined = PathConfinement.join(folder, relative) else {
            throw StorageError(reference: reference, reason: "\"..\" leads outside the project folder")
        }
        return .file(path: try confined(joined, to: folder, reference: reference))
    }

    /// What is wrong with a reference, judged from its text alone (no file system): a scheme that
    /// is not supported, `..` that leads out of the project folder (or above / for an absolute
    /// path), a NUL byte. For checking submissions before any worker sees them; `resolve` still
    /// makes the full check, links included, when the job runs.
    public static func referenceProblem(_ reference: String, direction: DatasetDirection) -> String? {
        guard !reference.isEmpty, !reference.utf8.contains(0) else {
            return "a dataset reference must be a non-empty string without NUL bytes"
        }
        if let colon = reference.firstIndex(of: ":"), let scheme = scheme(reference[..<colon]) {
            switch scheme {
            case "http", "https":
                return direction == .input ? nil : "outputs are written into the project folder, not to \(scheme)://"
            case "file":
                let path = reference.dropFirst("file:".count).drop { $0 == "/" }
                return PathConfinement.join("", "/" + path) == nil ? "\"..\" leads above /" : nil
            default:
                return "unsupported scheme \(scheme):// (use a path in the project, file:// or http(s)://)"
            }
        }
        if reference.hasPrefix("/") {
            return PathConfinement.join("", reference) == nil ? "\"..\" leads above /" : nil
        }
        return PathConfinement.join("project", reference) == nil ? "\"..\" leads outside the project folder" : nil
    }

    /// A file to write: resolved like any output, its folder created.
    public func outputPath(_ reference: String, project: String) throws(StorageError) -> String {
        guard case .file(let path) = try resolve(reference, project: project, direction: .output) else {
            throw StorageError(reference: reference, reason: "not a file")
        }
        if let slash = path.lastIndex(of: "/") { Self.makeDirectories(String(path[..<slash])) }
        return path
    }

    private func fileURIPath(_ reference: String) throws(StorageError) -> String {
        var rest = reference.dropFirst("file:".count)
        guard rest.hasPrefix("//") else {
            throw StorageError(reference: reference, reason: "a file URI is file:///absolute/path")
        }
        rest = rest.dropFirst(2)
        let authority = rest.prefix { $0 != "/" }
        guard authority.isEmpty || authority == "localhost" else {
            throw StorageError(
                reference: reference, reason: "a file URI must name no host (file:///path), got \(authority)")
        }
        rest = rest.dropFirst(authority.count)
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        guard let path = PercentDecoding.decode(rest), path.hasPrefix("/") else {
            throw StorageError(reference: reference, reason: "the file URI's path is not a valid absolute path")
        }
        return try confined(path, to: root, reference: reference)
    }

    /// `path` (absolute) normalised and with links resolved, if that lies inside `folder`: the path
    /// to open, so what was checked is what is used.
    private func confined(_ path: String, to folder: String, reference: String) throws(StorageError) -> String {
        guard let lexical = PathConfinement.join("", path).map({ $0.isEmpty ? "/" : $0 }) else {
            throw StorageError(reference: reference, reason: "\"..\" leads above /")
        }
        guard let physical = PathConfinement.physical(lexical) else {
            throw StorageError(reference: reference, reason: "cannot resolve the path")
        }
        guard PathConfinement.isInside(physical, folder) else {
            let place = folder == root ? "the storage root" : "the project folder"
            throw StorageError(reference: reference, reason: "outside \(place) (\(folder))")
        }
        return physical
    }

    /// A URI scheme (RFC 3986: a letter, then letters, digits, + - .), lowercased; `nil` if the
    /// text before the colon is not one (a Windows drive letter counts as none).
    private static func scheme(_ text: Substring) -> String? {
        guard text.count >= 2, let first = text.unicodeScalars.first,
            ("a"..."z").contains(first) || ("A"..."Z").contains(first),
            text.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "+-.".unicodeScalars.contains($0)
            })
        else { return nil }
        return text.lowercased()
    }

    static func makeDirectories(_ path: String) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o755)
        }
    }
}
