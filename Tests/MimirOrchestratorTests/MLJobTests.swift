import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// `ml_training` and `ml_inference` jobs run by real workers with the real plugins over the
/// project storage, submitted through the orchestrator.
@Suite("ML jobs end to end")
struct MLJobTests {
    @Test("train on iris, then predict inline and over the dataset; a second training is version 2")
    func trainThenPredict() async throws {
        let root = try StorageRoot()
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let worker = try shippedWorker(api, id: "w-ml", root: root, plugins: ["MLTraining", "MLInference"])
        func run(_ job: JSONValue) async throws -> JSONValue {
            try await api.poll(try await api.submit(job), seconds: 60, until: isFinal)
        }
        let training: JSONValue = [
            "type": "ml_training", "project_id": "demo",
            "task_spec": [
                "model_id": "iris-tree",
                "parameters": [
                    "task": "classification", "algorithm": "decision_tree", "target": "species",
                    "hyperparameters": ["max_depth": 3], "seed": 7,
                ],
            ],
            "data_access": ["input_datasets": ["iris.csv"]],
        ]
        let trained = try await run(training)
        #expect(trained["status"] == "succeeded", "\(trained)\n\(worker.log)")
        let result = try #require(trained["result"])
        #expect(result["version"] == 1, "\(result)")
        #expect((result["metrics"]?["validation"]?["accuracy"]?.doubleValue ?? 0) > 0.85, "\(result)")
        #expect(FileManager.default.fileExists(atPath: root.file("models/iris-tree/1/model.json")))

        let inline = try await run([
            "type": "ml_inference", "project_id": "demo",
            "task_spec": [
                "model_id": "iris-tree",
                "parameters": [
                    "rows": [
                        ["sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2],
                        ["sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2],
                    ]
                ],
            ],
        ])
        #expect(inline["status"] == "succeeded", "\(inline)\n\(worker.log)")
        let predictions = inline["result"]?["predictions"]?.arrayValue ?? []
        #expect(predictions.map { $0["prediction"] } == ["setosa", "virginica"], "\(inline)")
        #expect(predictions.first?["probabilities"]?["setosa"]?.doubleValue ?? 0 > 0.9)

        let batch = try await run([
            "type": "ml_inference", "project_id": "demo", "task_spec": ["model_id": "iris-tree"],
            "data_access": ["input_datasets": ["iris.csv"], "output_location": "iris_predicted.csv"],
        ])
        #expect(batch["status"] == "succeeded", "\(batch)\n\(worker.log)")
        let lines = try root.read("outputs/iris_predicted.csv").split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let species = try #require(header.firstIndex(of: "species"))
        let predicted = try #require(header.firstIndex(of: "prediction"))
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == 150)
        let correct = rows.filter { $0[species] == $0[predicted] }.count
        #expect(Double(correct) / 150 > 0.9, "\(correct) of 150 right")

        let again = try await run(training)
        #expect(again["result"]?["version"] == 2, "\(again)")
        #expect(again["result"]?["metrics"] == trained["result"]?["metrics"], "same seed, same data, same metrics")
    }

    @Test("a missing target column, an unknown model and missing feature columns fail naming what is wrong")
    func refusals() async throws {
        let root = try StorageRoot()
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let worker = try shippedWorker(api, id: "w-ml-bad", root: root, plugins: ["MLTraining", "MLInference"])
        let cases: [(JSONValue, String)] = [
            (
                [
                    "type": "ml_training", "project_id": "demo",
                    "task_spec": ["model_id": "m", "parameters": ["task": "regression", "target": "price"]],
                    "data_access": ["input_datasets": ["iris.csv"]],
                ], "price"
            ),
            (
                [
                    "type": "ml_inference", "project_id": "demo",
                    "task_spec": ["model_id": "nope", "parameters": ["rows": [["a": 1]]]],
                ],
                "nope"
            ),
        ]
        for (job, expected) in cases {
            let done = try await api.poll(try await api.submit(job), seconds: 60, until: isFinal)
            #expect(done["status"] == "failed" && done["error_kind"] == "invalid_input", "\(done)\n\(worker.log)")
            #expect(
                done["error"]?.stringValue?.contains(expected) == true, "\(expected) not in \(done["error"] ?? .null)")
        }
    }
}
