import Foundation
import MimirCore
import MimirExpressions
import MimirPipeline
import MimirTestSupport

/// A temporary folder of datasets; dataset names resolve to files inside it.
final class Workspace {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mimir-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    /// Resolves names inside the workspace; `shared:` names point at the real datasets.
    var resolver: DatasetResolver {
        { reference, _ in
            if reference.hasPrefix("shared:") { return try SharedDatasets.path(String(reference.dropFirst(7))) }
            return self.path(reference)
        }
    }

    /// Parses the JSON definition text and runs it here.
    func run(_ definition: String, options: PipelineRunOptions = PipelineRunOptions()) throws -> PipelineResult {
        let parsed = try PipelineDefinition.parse(try JSONValue.parse(definition))
        return try PipelineEngine.run(parsed, resolver: resolver, options: options)
    }

    /// Output CSV as rows of fields (simple split; test outputs avoid quoting unless tested).
    func csvLines(_ name: String) throws -> [String] {
        try read(name).split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }
}

/// The problems a definition is rejected with, as "path: message" lines.
func definitionProblems(_ text: String) throws -> [String] {
    let json = try JSONValue.parse(text)
    do {
        _ = try PipelineDefinition.parse(json)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}
