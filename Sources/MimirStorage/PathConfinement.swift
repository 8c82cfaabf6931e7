#if canImport(Glibc)
    import Glibc
#endif

/// Lexical and physical checks that a path stays inside a folder.
enum PathConfinement {
    /// `base` joined with `relative`, `.` and `..` resolved lexically; `nil` if `..` climbs above `base`.
    static func join(_ base: String, _ relative: String) -> String? {
        var components: [Substring] = []
        for component in relative.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard !components.isEmpty else { return nil }
                components.removeLast()
            default: components.append(component)
            }
        }
        return components.isEmpty ? base : base + "/" + components.joined(separator: "/")
    }

    /// The path with every symbolic link resolved, for a path whose last components may not exist
    /// yet: the longest existing prefix goes through `realpath`, the rest is appended as is.
    static func physical(_ path: String) -> String? {
        var existing = path
        var missing: [String] = []
        while true {
            if let resolved = realPath(existing) {
                return ([resolved] + missing.reversed()).joined(separator: "/")
            }
            guard let slash = existing.lastIndex(of: "/"), slash != existing.startIndex else { return nil }
            missing.append(String(existing[existing.index(after: slash)...]))
            existing = String(existing[..<slash])
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` is `folder` or inside it (both absolute, normalised).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }
}
