import MimirCore
import Testing

@testable import MimirML

@Suite struct AlgorithmTests {
    private func metric(_ outcome: TrainingOutcome, _ name: String) -> Double {
        outcome.model.metrics["validation"]?[name]?.doubleValue ?? .nan
    }

    @Test func linearRegressionRecoversAnExactLine() throws {
        let rows: [[Any]] = (0..<50).map { i in
            let a = Double(i % 7)
            let b = Double((i * 13) % 11)
            return ["\(a)", "\(b)", i % 2 == 0 ? "u" : "v", "\(3 * a - 2 * b + 5 + (i % 2 == 0 ? 1 : 0))"]
        }
        let table = try TestData.table(["a", "b", "kind", "y"], rows)
        let outcome = try Trainer.train(parameters: ["task": "regression", "target": "y"], table: table, modelID: "m")
        #expect(abs(metric(outcome, "r2") - 1) < 1e-9)
        #expect(metric(outcome, "rmse") < 1e-8)
        let ridge = try Trainer.train(
            parameters: ["task": "regression", "target": "y", "hyperparameters": ["alpha": 10]], table: table,
            modelID: "m")
        #expect(metric(ridge, "r2") < 1 - 1e-6)
    }

    @Test func logisticRegressionBinaryAndMultinomial() throws {
        let iris = try TestData.csv("iris")
        let multi = try Trainer.train(
            parameters: ["task": "classification", "target": "species"], table: iris, modelID: "m")
        #expect(metric(multi, "accuracy") >= 0.9)
        guard case .logistic(let model) = multi.model.estimator else {
            Issue.record("not logistic")
            return
        }
        #expect(model.converged)
        #expect(model.intercepts.count == 3)
        let binaryRows: [[Any]] = (0..<60).map { i in ["\(Double(i) + (i % 3 == 0 ? 8 : 0))", i < 30 ? "no" : "yes"] }
        let binary = try Trainer.train(
            parameters: ["task": "classification", "target": "label"],
            table: try TestData.table(["x", "label"], binaryRows), modelID: "m")
        #expect(binary.model.classes == ["no", "yes"])
        #expect(metric(binary, "accuracy") >= 0.75)
    }

    @Test func decisionTreeClassifiesAndRegresses() throws {
        let iris = try TestData.csv("iris")
        let tree = try Trainer.train(
            parameters: ["task": "classification", "target": "species", "algorithm": "decision_tree"], table: iris,
            modelID: "m")
        #expect(metric(tree, "accuracy") >= 0.85)
        #expect(tree.model.metrics["training"]?["accuracy"] == 1.0)
        let shallow = try Trainer.train(
            parameters: [
                "task": "classification", "target": "species", "algorithm": "decision_tree",
                "hyperparameters": ["max_depth": 1, "criterion": "entropy"],
            ], table: iris, modelID: "m")
        guard case .tree(let stump) = shallow.model.estimator else {
            Issue.record("not a tree")
            return
        }
        #expect(stump.nodeCount == 3)
        let steps: [[Any]] = (0..<40).map { i in ["\(i)", i < 20 ? "1.5" : "7.5"] }
        let regression = try Trainer.train(
            parameters: [
                "task": "regression", "target": "y", "algorithm": "decision_tree", "hyperparameters": ["max_depth": 1],
            ],
            table: try TestData.table(["x", "y"], steps), modelID: "m")
        #expect(metric(regression, "rmse") == 0)
    }

    @Test func randomForestReportsEveryTree() throws {
        let wine = try TestData.csv("wine")
        let messages = MessageLog()
        let forest = try Trainer.train(
            parameters: [
                "task": "classification", "target": "class", "algorithm": "random_forest",
                "hyperparameters": ["n_estimators": 20],
            ], table: wine, modelID: "m", control: TrainingControl(progress: { _, text in messages.add(text) }))
        #expect(metric(forest, "accuracy") >= 0.9)
        #expect(messages.all.filter { $0.hasPrefix("tree ") }.count == 20)
        let single = try Trainer.train(
            parameters: [
                "task": "classification", "target": "class", "algorithm": "random_forest",
                "hyperparameters": ["n_estimators": 20, "n_jobs": 1],
            ], table: wine, modelID: "m", createdAt: forest.model.createdAt)
        #expect(single.model.artifactText() == forest.model.artifactText())
    }

    @Test func kMeansFindsSeparatedClusters() throws {
        var rows: [[Any]] = []
        for i in 0..<90 {
            let centre = Double(i % 3) * 10
            rows.append(["\(centre + Double(i % 5) * 0.1)", "\(centre - Double(i % 4) * 0.1)"])
        }
        let outcome = try Trainer.train(
            parameters: ["task": "clustering", "hyperparameters": ["n_clusters": 3]],
            table: try TestData.table(["a", "b"], rows), modelID: "m")
        let validation = outcome.model.metrics["validation"]
        #expect((validation?["silhouette"]?.doubleValue ?? 0) > 0.9)
        let sizes = JSONDecodingProbe.ints(outcome.model.metrics["training"]?["cluster_sizes"])
        #expect(sizes.count == 3 && sizes.allSatisfy { $0 > 15 } && sizes.reduce(0, +) == 72)
    }

    @Test func kFoldReportsEachFold() throws {
        let iris = try TestData.csv("iris")
        let outcome = try Trainer.train(
            parameters: ["task": "classification", "target": "species", "k_folds": 5], table: iris, modelID: "m")
        let folds = outcome.model.metrics["cross_validation"]?["folds"]?.arrayValue ?? []
        #expect(folds.count == 5)
        #expect((outcome.model.metrics["cross_validation"]?["mean"]?["accuracy"]?.doubleValue ?? 0) > 0.9)
        #expect(Set(outcome.folds.flatMap(\.validation)).count == 150)
    }

    @Test func stratifiedSplitKeepsClassShares() throws {
        let iris = try TestData.csv("iris")
        let outcome = try Trainer.train(
            parameters: ["task": "classification", "target": "species"], table: iris, modelID: "m")
        #expect(outcome.split.validation.count == 30)
        let support = outcome.model.metrics["validation"]?["per_class"]?.objectValue?.values.compactMap {
            $0["support"]?.int64Value
        }
        #expect(support == [10, 10, 10])
    }
}

final class MessageLog: Sendable {
    private let messages = MutexBox<[String]>([])
    func add(_ text: String) { messages.update { $0.append(text) } }
    var all: [String] { messages.value }
}

enum JSONDecodingProbe {
    static func ints(_ value: JSONValue?) -> [Int] {
        value?.arrayValue?.compactMap { $0.int64Value.map(Int.init) } ?? []
    }
}
