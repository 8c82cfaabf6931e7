import Foundation
import MimirCore
import MimirML

/// Trains and predicts with every algorithm on a generated 100k × 20 dataset, then runs
/// bench/ml/compare.py (scikit-learn) on the same file and prints both side by side.
/// Usage: MLBench [rows] [trees]
let arguments = CommandLine.arguments
let rows = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let trees = arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100
let width = 20
/// Run from the repository root (bench/ml.sh does): data goes under .build-release, out of the tree.
let directory = FileManager.default.currentDirectoryPath + "/.build-release/bench-data"

/// Standard normal draws by Box–Muller from the library's seeded generator.
func gaussian(_ random: inout SeededGenerator) -> Double {
    let u = max(random.nextUnit(), 1e-300)
    let v = random.nextUnit()
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
}

var random = SeededGenerator(seed: 2_024)
let weights = (0..<width).map { _ in gaussian(&random) }
var cells: [[JSONValue]] = []
var csv = (0..<width).map { "x\($0)" }.joined(separator: ",") + ",y,label\n"
for _ in 0..<rows {
    let x = (0..<width).map { _ in gaussian(&random) }
    var score = 0.0
    for j in 0..<width { score += weights[j] * x[j] }
    let y = score + 0.5 * x[0] * x[1] + gaussian(&random)
    let label = score + gaussian(&random) > 0 ? "pos" : "neg"
    cells.append(x.map { .number($0) } + [.number(y), .string(label)])
    csv += x.map { String(format: "%.6f", $0) }.joined(separator: ",") + String(format: ",%.6f,", y) + label + "\n"
}
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
try csv.write(toFile: directory + "/bench-data.csv", atomically: true, encoding: .utf8)
let table = try Table(columns: (0..<width).map { "x\($0)" } + ["y", "label"], rows: cells)
let features: JSONValue = .array((0..<width).map { .string("x\($0)") })

struct Case {
    let name: String
    let parameters: JSONValue
}
let cases = [
    Case(
        name: "linear_regression", parameters: ["task": "regression", "target": "y", "algorithm": "linear_regression"]),
    Case(name: "ridge", parameters: ["task": "regression", "target": "y", "hyperparameters": ["alpha": 1]]),
    Case(name: "logistic_regression", parameters: ["task": "classification", "target": "label"]),
    Case(
        name: "decision_tree_clf",
        parameters: ["task": "classification", "target": "label", "algorithm": "decision_tree"]),
    Case(name: "decision_tree_reg", parameters: ["task": "regression", "target": "y", "algorithm": "decision_tree"]),
    Case(
        name: "random_forest_clf",
        parameters: [
            "task": "classification", "target": "label", "algorithm": "random_forest",
            "hyperparameters": ["n_estimators": .integer(Int64(trees))],
        ]),
    Case(
        name: "random_forest_reg",
        parameters: [
            "task": "regression", "target": "y", "algorithm": "random_forest",
            "hyperparameters": ["n_estimators": .integer(Int64(trees / 5)), "max_features": 0.33],
        ]),
    Case(name: "kmeans", parameters: ["task": "clustering", "hyperparameters": ["n_clusters": 8]]),
]

var results: [String: (train: Double, rowsPerSecond: Double, metric: String, size: Int)] = [:]
for item in cases {
    var parameters = item.parameters.objectValue ?? [:]
    parameters["features"] = features
    let start = Date()
    let outcome = try Trainer.train(parameters: .object(parameters), table: table, modelID: "bench")
    let trainSeconds = Date().timeIntervalSince(start)
    let predictStart = Date()
    let predictions = try outcome.model.predict(table)
    let predictSeconds = Date().timeIntervalSince(predictStart)
    let validation = outcome.model.metrics["validation"]
    let metric: String
    if let accuracy = validation?["accuracy"]?.doubleValue {
        metric = String(format: "acc %.4f", accuracy)
    } else if let r2 = validation?["r2"]?.doubleValue {
        metric = String(format: "r2 %.4f", r2)
    } else {
        metric = String(format: "inertia %.0f", outcome.model.metrics["training"]?["inertia"]?.doubleValue ?? 0)
    }
    results[item.name] = (
        trainSeconds, Double(predictions.count) / predictSeconds, metric, outcome.model.artifactText().utf8.count
    )
    FileHandle.standardError.write(Data("\(item.name): trained in \(trainSeconds)s\n".utf8))
}

let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = [
    "python3", FileManager.default.currentDirectoryPath + "/bench/ml/compare.py", directory + "/bench-data.csv",
    String(trees),
]
let pipe = Pipe()
process.standardOutput = pipe
try process.run()
let output = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
let reference = (try? JSONValue.parse(output)) ?? [:]

print("\(rows) rows × \(width) features, 80/20 split; training time includes preprocessing and validation metrics")
print(
    "algorithm            MimirML train  sklearn fit   MimirML pred rows/s  sklearn pred rows/s  MimirML metric  sklearn metric  artifact"
)
for item in cases {
    guard let ours = results[item.name] else { continue }
    let theirs = reference[item.name]
    let line = [
        item.name.padding(toLength: 20, withPad: " ", startingAt: 0),
        String(format: "%10.3f s", ours.train), String(format: "%10.3f s", theirs?["fit"]?.doubleValue ?? .nan),
        String(format: "%19.0f", ours.rowsPerSecond),
        String(format: "%19.0f", theirs?["rows_per_second"]?.doubleValue ?? .nan),
        ours.metric.padding(toLength: 15, withPad: " ", startingAt: 0),
        (theirs?["metric"]?.stringValue ?? "").padding(toLength: 15, withPad: " ", startingAt: 0),
        String(format: "%.1f MB", Double(ours.size) / 1e6),
    ]
    print(line.joined(separator: "  "))
}
