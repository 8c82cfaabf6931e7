import Foundation
import MimirCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Model artifacts under a project folder: `<root>/models/<model_id>/<version>/model.json`.
/// Versions are the integers 1, 2, 3…; "latest" is the highest. A version appears whole or not at
/// all: it is written into a hidden staging folder and renamed into place, and two trainers that
/// race for the same number both succeed, the loser taking the next one.
public struct ModelStore: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var modelsDirectory: String { root + "/models" }

    /// Model ids become folder names: letters, digits, `.`, `_` and `-`, not starting with a dot,
    /// at most 128 characters.
    public static func validate(modelID: String) throws(MLError) {
        let allowed = modelID.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard !modelID.isEmpty, modelID.utf8.count <= 128, allowed, !modelID.hasPrefix(".") else {
            throw .invalidParameters(
                "model id \(MLError.show(modelID)) must be 1–128 letters, digits, '.', '_' or '-', not starting with '.'"
            )
        }
    }

    public func directory(modelID: String, version: Int) -> String { "\(modelsDirectory)/\(modelID)/\(version)" }

    /// Saved versions of a model, ascending; empty when there are none.
    public func versions(modelID: String) throws(MLError) -> [Int] {
        try Self.validate(modelID: modelID)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(modelsDirectory)/\(modelID)")) ?? []
        return names.compactMap { name in
            guard let number = Int(name), number > 0, String(number) == name else { return nil }
            return FileManager.default.fileExists(atPath: "\(modelsDirectory)/\(modelID)/\(name)/model.json")
                ? number : nil
        }.sorted()
    }

    public func latestVersion(modelID: String) throws(MLError) -> Int? { try versions(modelID: modelID).last }

    /// Every model id with at least one version, sorted.
    public func list() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory)) ?? []
        return names.filter { name in
            (try? Self.validate(modelID: name)) != nil && !((try? versions(modelID: name)) ?? []).isEmpty
        }.sorted()
    }

    /// Writes `model` as the next version and returns it with that version set.
    @discardableResult
    public func save(_ model: Model) throws(MLError) -> Model {
        try Self.validate(modelID: model.modelID)
        let folder = "\(modelsDirectory)/\(model.modelID)"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(folder): \(error.localizedDescription)")
        }
        let staging = "\(folder)/.staging-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            try Data(model.artifactText().utf8).write(to: URL(fileURLWithPath: "\(staging)/model.json"))
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw .storage("cannot write the artifact in \(staging): \(error.localizedDescription)")
        }
        var version = (try latestVersion(modelID: model.modelID) ?? 0) + 1
        for _ in 0..<1_000 {
            let target = directory(modelID: model.modelID, version: version)
            if !FileManager.default.fileExists(atPath: target), rename(staging, target) == 0 {
                var saved = model
                saved.version = version
                return saved
            }
            let code = errno
            guard code == EEXIST || code == ENOTEMPTY || code == 0 else {
                try? FileManager.default.removeItem(atPath: staging)
                throw .storage("cannot move the artifact to \(target): \(String(cString: strerror(code)))")
            }
            version += 1
        }
        try? FileManager.default.removeItem(atPath: staging)
        throw .storage("could not claim a version number for \(model.modelID)")
    }

    /// `version`, or the latest when nil; fails when the model has no version at all.
    public func resolve(modelID: String, version: Int?) throws(MLError) -> Int {
        if let version { return version }
        guard let latest = try latestVersion(modelID: modelID) else {
            throw .modelNotFound("no model \(MLError.show(modelID)) under \(modelsDirectory)")
        }
        return latest
    }

    /// Loads a version of a model, the latest when `version` is nil.
    public func load(modelID: String, version: Int? = nil) throws(MLError) -> Model {
        let resolved = try resolve(modelID: modelID, version: version)
        let path = directory(modelID: modelID, version: resolved) + "/model.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .modelNotFound("model \(MLError.show(modelID)) has no version \(resolved) (\(path))")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw .corruptArtifact("\(path): \(error)")
        }
        var model = try Model(json: json)
        guard model.modelID == modelID else {
            throw .corruptArtifact("\(path) holds model \(MLError.show(model.modelID)), not \(MLError.show(modelID))")
        }
        model.version = resolved
        return model
    }
}
