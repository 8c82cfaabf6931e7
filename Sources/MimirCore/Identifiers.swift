/// Rules for the names that cross the plugin ABI and the REST API.
public enum Identifiers {
    /// Job types: 1 to 64 characters of `[a-z0-9_]`, starting with a letter
    /// (`pipeline_execution`, `ml_training`, ...).
    public static func isValidJobType(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        return ("a"..."z").contains(first)
            && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Plugin names: 1 to 64 characters of `[A-Za-z0-9_.-]`.
    public static func isValidPluginName(_ name: String) -> Bool {
        guard !name.isEmpty, name.unicodeScalars.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "_" || $0 == "." || $0 == "-"
        }
    }

    /// Project ids name a folder of the storage root: 1 to 128 characters of `[A-Za-z0-9_.-]`, and
    /// not `.` or `..`.
    public static func isValidProjectID(_ id: String) -> Bool {
        guard (1...128).contains(id.unicodeScalars.count), id != ".", id != ".." else { return false }
        return id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "_" || $0 == "." || $0 == "-"
        }
    }

    public static let projectIDRule = "1 to 128 characters of [A-Za-z0-9_.-], not . or .."
    public static let jobTypeRule = "1 to 64 characters of [a-z0-9_], starting with a letter"
    public static let pluginNameRule = "1 to 64 characters of [A-Za-z0-9_.-]"
}
