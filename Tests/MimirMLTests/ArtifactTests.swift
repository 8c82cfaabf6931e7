import Foundation
import MimirCore
import Testing

@testable import MimirML

@Suite struct ArtifactTests {
    static let cases: [(String, JSONValue)] = [
        ("iris", ["task": "classification", "target": "species", "algorithm": "logistic_regression"]),
        ("iris", ["task": "classification", "target": "species", "algorithm": "decision_tree"]),
        (
            "wine",
            [
                "task": "classification", "target": "class", "algorithm": "random_forest",
                "hyperparameters": ["n_estimators": 15],
            ]
        ),
        ("diabetes", ["task": "regression", "target": "progression", "algorithm": "linear_regression"]),
        (
            "diabetes",
            [
                "task": "regression", "target": "progression", "algorithm": "random_forest",
                "hyperparameters": ["n_estimators": 10],
            ]
        ),
        (
            "diabetes",
            [
                "task": "regression", "target": "progression", "algorithm": "decision_tree",
                "hyperparameters": ["max_depth": 4],
            ]
        ),
        (
            "iris",
            [
                "task": "clustering", "target": "species",
                "features": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
                "hyperparameters": ["n_clusters": 3, "n_init": 3],
            ]
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func roundTripReproducesValidationMetricsExactly(index: Int) throws {
        let (dataset, parameters) = Self.cases[index]
        let table = try TestData.csv(dataset)
        let store = ModelStore(root: try TestData.temporaryDirectory())
        let outcome = try Trainer.train(parameters: parameters, table: table, modelID: "roundtrip")
        let saved = try store.save(outcome.model)
        #expect(saved.version == 1)
        let loaded = try store.load(modelID: "roundtrip")
        #expect(loaded.artifactText() == outcome.model.artifactText())
        let validation = table.selecting(rows: outcome.split.validation)
        #expect(try loaded.evaluate(validation) == outcome.model.metrics["validation"])
        let predictions = try loaded.predict(validation)
        #expect(predictions.count == outcome.split.validation.count)
    }

    @Test func sameSeedSameArtifact() throws {
        let wine = try TestData.csv("wine")
        let parameters: JSONValue = [
            "task": "classification", "target": "class", "algorithm": "random_forest", "seed": 7,
            "hyperparameters": ["n_estimators": 10], "k_folds": 3,
        ]
        let first = try Trainer.train(parameters: parameters, table: wine, modelID: "det")
        let second = try Trainer.train(parameters: parameters, table: wine, modelID: "det")
        #expect(first.model.createdAt != "" && first.model.dataFingerprint.hasPrefix("sha256:"))
        var a = first.model.json().objectValue ?? [:]
        var b = second.model.json().objectValue ?? [:]
        a["created_at"] = nil
        b["created_at"] = nil
        #expect(JSONValue.object(a).jsonText() == JSONValue.object(b).jsonText())
        let other = try Trainer.train(
            parameters: [
                "task": "classification", "target": "class", "algorithm": "random_forest", "seed": 8,
                "hyperparameters": ["n_estimators": 10],
            ], table: wine, modelID: "det", createdAt: first.model.createdAt)
        #expect(other.model.artifactText() != first.model.artifactText())
    }

    @Test func storeVersionsListsAndCaches() throws {
        let iris = try TestData.csv("iris")
        let store = ModelStore(root: try TestData.temporaryDirectory())
        let parameters: JSONValue = ["task": "classification", "target": "species"]
        let result = try Trainer.trainAndSave(parameters: parameters, table: iris, modelID: "flowers", store: store)
        #expect(result["version"] == 1)
        #expect(result["artifact_path"] == "models/flowers/1/model.json")
        _ = try Trainer.trainAndSave(parameters: parameters, table: iris, modelID: "flowers", store: store)
        #expect(try store.versions(modelID: "flowers") == [1, 2])
        #expect(store.list() == ["flowers"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.modelsDirectory + "/flowers")
        #expect(leftovers.sorted() == ["1", "2"])

        let cache = ModelCache(capacity: 1)
        let first = try cache.model(in: store, modelID: "flowers")
        #expect(first.version == 2)
        _ = try cache.model(in: store, modelID: "flowers")
        #expect(cache.statistics.hits == 1)
        _ = try cache.model(in: store, modelID: "flowers", version: 1)
        #expect(cache.count == 1)
        #expect(throws: MLError.self) { try cache.model(in: store, modelID: "absent") }
    }

    @Test func inferenceChecksSchemaAndReturnsProbabilities() throws {
        let iris = try TestData.csv("iris")
        let outcome = try Trainer.train(
            parameters: ["task": "classification", "target": "species"], table: iris, modelID: "m")
        let rows = try Table(objects: [
            ["sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2],
            ["sepal_length": "6.7", "sepal_width": "3.0", "petal_length": "5.2", "petal_width": "2.3"],
        ])
        let predictions = try outcome.model.predict(rows)
        #expect(predictions.labels == ["setosa", "virginica"])
        let object = predictions.json(row: 0, includeProbabilities: true)
        let total = (object["probabilities"]?.objectValue?.values.compactMap(\.doubleValue) ?? []).reduce(0, +)
        #expect(abs(total - 1) < 1e-12)
        let output = predictions.appended(to: rows, includeProbabilities: true)
        #expect(
            output.columns.suffix(4) == [
                "prediction", "probability_setosa", "probability_versicolor", "probability_virginica",
            ])
        #expect(
            throws: MLError.schemaMismatch("missing feature column \"petal_width\"")
        ) { try outcome.model.predict(try Table(objects: [["sepal_length": 1, "sepal_width": 1, "petal_length": 1]])) }
    }

    @Test func cancellationStopsBetweenTrees() throws {
        let wine = try TestData.csv("wine")
        let count = MutexBox(0)
        #expect(throws: MLError.self) {
            try Trainer.train(
                parameters: [
                    "task": "classification", "target": "class", "algorithm": "random_forest",
                    "hyperparameters": ["n_estimators": 50, "n_jobs": 1],
                ],
                table: wine, modelID: "m",
                control: TrainingControl(
                    progress: { _, message in if message.hasPrefix("tree") { count.update { $0 += 1 } } },
                    isCancelled: { count.value >= 3 }))
        }
        #expect(count.value == 3)
    }
}
