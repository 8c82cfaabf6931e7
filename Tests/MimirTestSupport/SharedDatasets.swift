import Foundation

/// The small real datasets (iris, wine, diabetes) in the `shared/datasets` folder beside the
/// repository, wherever the repository is cloned.
public enum SharedDatasets {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    static let folder: String = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/datasets").path
    }()

    public static func path(_ name: String) throws -> String {
        let path = "\(folder)/\(name)"
        guard FileManager.default.fileExists(atPath: path) else {
            throw Missing(
                description: "dataset \(name) not found at \(path) (the shared/ folder beside the repository)")
        }
        return path
    }
}
