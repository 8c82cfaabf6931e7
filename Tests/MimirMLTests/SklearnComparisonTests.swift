import Foundation
import MimirCore
import MimirTestSupport
import Testing

@testable import MimirML

/// Trains on the shared datasets and compares validation metrics with scikit-learn's on the very
/// same rows (our split indices are handed to the Python script) with the same hyperparameters.
/// Bar: within 1 accuracy point for classification, 0.02 R² for regression. Trees and forests draw
/// different random numbers than scikit-learn (bootstrap samples, feature order, hence which of two
/// equally good splits wins), so for them both sides average over the same number of seeds: on a
/// 30-row validation set one row is 3.3 points, and a single seed cannot meet a 1-point bar.
@Suite(.serialized) struct SklearnComparisonTests {
    struct Case {
        let id: String
        let dataset: String
        let target: String
        let task: String
        let algorithm: String
        let hyperparameters: JSONValue
        let seeds: [Int]
    }

    static let cases: [Case] = [
        Case(
            id: "iris-logistic", dataset: "iris", target: "species", task: "classification",
            algorithm: "logistic_regression", hyperparameters: [:], seeds: [42]),
        Case(
            id: "iris-tree", dataset: "iris", target: "species", task: "classification", algorithm: "decision_tree",
            hyperparameters: ["max_depth": 3], seeds: Array(1...30)),
        Case(
            id: "iris-forest", dataset: "iris", target: "species", task: "classification", algorithm: "random_forest",
            hyperparameters: ["n_estimators": 100], seeds: Array(1...5)),
        Case(
            id: "wine-logistic", dataset: "wine", target: "class", task: "classification",
            algorithm: "logistic_regression", hyperparameters: [:], seeds: [42]),
        Case(
            id: "wine-tree", dataset: "wine", target: "class", task: "classification", algorithm: "decision_tree",
            hyperparameters: ["max_depth": 3], seeds: Array(1...30)),
        Case(
            id: "wine-forest", dataset: "wine", target: "class", task: "classification", algorithm: "random_forest",
            hyperparameters: ["n_estimators": 100], seeds: Array(1...5)),
        Case(
            id: "diabetes-linear", dataset: "diabetes", target: "progression", task: "regression",
            algorithm: "linear_regression", hyperparameters: [:], seeds: [42]),
        Case(
            id: "diabetes-ridge", dataset: "diabetes", target: "progression", task: "regression",
            algorithm: "linear_regression", hyperparameters: ["alpha": 10], seeds: [42]),
        Case(
            id: "diabetes-tree", dataset: "diabetes", target: "progression", task: "regression",
            algorithm: "decision_tree", hyperparameters: ["max_depth": 3], seeds: Array(1...30)),
        Case(
            id: "diabetes-forest", dataset: "diabetes", target: "progression", task: "regression",
            algorithm: "random_forest", hyperparameters: ["n_estimators": 100, "min_samples_leaf": 5],
            seeds: Array(1...5)),
    ]

    /// The first `python3` on PATH, as a shell would pick it.
    static func python() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/python3")
        {
            return "\(folder)/python3"
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func matchesScikitLearn() throws {
        guard let python = Self.python() else {
            Issue.record("python3 is needed for the scikit-learn comparison")
            return
        }
        if try Self.run(python, ["-c", "import sklearn"]).0 != 0 {
            _ = try Self.run(python, ["-m", "pip", "install", "--quiet", "--break-system-packages", "scikit-learn"])
        }
        var ours: [String: [String: Double]] = [:]
        var requests: [JSONValue] = []
        for item in Self.cases {
            let table = try TestData.csv(item.dataset)
            func parameters(seed: Int) -> JSONValue {
                [
                    "task": .string(item.task), "target": .string(item.target), "algorithm": .string(item.algorithm),
                    "hyperparameters": item.hyperparameters, "seed": .integer(Int64(seed)),
                ]
            }
            // The holdout comes from seed 42; each learner seed then trains on those same rows.
            let first = try Trainer.train(parameters: parameters(seed: 42), table: table, modelID: "cmp")
            let split: DataSplit? = first.split
            let classes = first.model.classes
            var sums: [String: Double] = [:]
            for seed in item.seeds {
                let outcome = try Trainer.train(
                    parameters: parameters(seed: seed), table: table, modelID: "cmp", split: first.split)
                for key in ["accuracy", "r2", "rmse", "f1_macro", "log_loss"] {
                    if let value = outcome.model.metrics["validation"]?[key]?.doubleValue {
                        sums[key, default: 0] += value
                    }
                }
            }
            ours[item.id] = sums.mapValues { $0 / Double(item.seeds.count) }
            guard let split else { continue }
            requests.append([
                "id": .string(item.id), "dataset": .string(try SharedDatasets.path("\(item.dataset).csv")),
                "target": .string(item.target), "task": .string(item.task), "algorithm": .string(item.algorithm),
                "hyperparameters": item.hyperparameters, "classes": .array(classes.map { .string($0) }),
                "train": JSONDecoding.integers(split.training), "validation": JSONDecoding.integers(split.validation),
                "seeds": JSONDecoding.integers(item.seeds),
            ])
        }
        let input = try TestData.temporaryDirectory() + "/cases.json"
        try JSONValue.array(requests).jsonText().write(toFile: input, atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "sklearn_reference.py"
        ).path
        let (status, output) = try Self.run(python, [script, input])
        try #require(status == 0, "the scikit-learn script failed")
        let reference = try JSONValue.parse(output)
        var report = ["case                 metric     MimirML    sklearn    diff"]
        for item in Self.cases {
            let key = item.task == "classification" ? "accuracy" : "r2"
            let mine = ours[item.id]?[key] ?? .nan
            let theirs = reference[item.id]?[key]?.doubleValue ?? .nan
            let bar = item.task == "classification" ? 0.01 : 0.02
            report.append(
                "\(item.id.padding(toLength: 20, withPad: " ", startingAt: 0)) \(key.padding(toLength: 9, withPad: " ", startingAt: 0)) "
                    + String(format: "%.4f     %.4f     %+.4f", mine, theirs, mine - theirs))
            #expect(abs(mine - theirs) <= bar + 1e-9, "\(item.id): \(key) \(mine) vs scikit-learn \(theirs)")
        }
        let text = report.joined(separator: "\n")
        print(text)
        try? text.write(toFile: "/tmp/mimir-ml/sklearn-comparison.txt", atomically: true, encoding: .utf8)
    }
}
