import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// A storage root for executor tests: `projects/demo/datasets/` seeded with the shared datasets.
struct StorageRoot {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mimir-data-\(UUID().uuidString)").path
        let datasets = "\(path)/projects/demo/datasets"
        try FileManager.default.createDirectory(atPath: datasets, withIntermediateDirectories: true)
        for name in ["iris.csv", "wine.csv", "diabetes.csv"] {
            try FileManager.default.copyItem(atPath: try SharedDatasets.path(name), toPath: "\(datasets)/\(name)")
        }
    }

    func file(_ relative: String) -> String { "\(path)/projects/demo/\(relative)" }

    func write(_ relative: String, _ text: String) throws {
        let target = file(relative)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: file(relative), encoding: .utf8) }
}

/// A worker running the shipped plugins named, on `root`.
func shippedWorker(_ api: APIHarness, id: String, root: StorageRoot, plugins: [String]) throws -> WorkerProcess {
    try WorkerProcess(
        for: api, id: id, pluginDirectory: try WorkerProcess.shippedPlugins(plugins), extra: ["--data-dir", root.path])
}

func isFinal(_ job: JSONValue) -> Bool {
    ["succeeded", "failed", "cancelled", "dead"].contains(job["status"]?.stringValue ?? "")
}

/// Iris rows as the file has them, for computing expected answers independently of the engine.
func irisRows() throws -> [(sepalLength: Double, petalLength: Double, species: String)] {
    let text = try String(contentsOfFile: try SharedDatasets.path("iris.csv"), encoding: .utf8)
    // The file has CRLF line ends (one Character in Swift), hence isNewline.
    return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
        let fields = line.split(separator: ",").map(String.init)
        guard fields.count == 5, let sepal = Double(fields[0]), let petal = Double(fields[2]) else { return nil }
        return (sepal, petal, fields[4])
    }
}
