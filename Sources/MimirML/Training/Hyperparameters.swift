import Foundation
import MimirCore

/// The learning task.
public enum MLTask: String, Sendable, Equatable, CaseIterable {
    case regression
    case classification
    case clustering
}

/// The algorithms, with the tasks each can do.
public enum Algorithm: String, Sendable, Equatable, CaseIterable {
    case linearRegression = "linear_regression"
    case logisticRegression = "logistic_regression"
    case decisionTree = "decision_tree"
    case randomForest = "random_forest"
    case kmeans

    var tasks: [MLTask] {
        switch self {
        case .linearRegression: [.regression]
        case .logisticRegression: [.classification]
        case .decisionTree, .randomForest: [.regression, .classification]
        case .kmeans: [.clustering]
        }
    }

    /// The algorithm used when a request names only the task.
    static func standard(for task: MLTask) -> Algorithm {
        switch task {
        case .regression: .linearRegression
        case .classification: .logisticRegression
        case .clustering: .kmeans
        }
    }

    /// Linear models and k-means are sensitive to feature scale; trees are not.
    var needsStandardization: Bool { self == .linearRegression || self == .logisticRegression || self == .kmeans }
}

/// How many features a tree node considers. Resolved against the encoded width (after one-hot
/// encoding), as scikit-learn resolves it against its input columns.
enum MaxFeatures: Sendable, Equatable {
    case all
    case sqrt
    case log2
    case count(Int)
    case fraction(Double)

    func resolve(width: Int) -> Int {
        let resolved =
            switch self {
            case .all: width
            case .sqrt: Int(Double(width).squareRoot())
            case .log2: Int(Foundation.log2(Double(max(width, 1))))
            case .count(let count): count
            case .fraction(let share): Int(share * Double(width))
            }
        return min(max(resolved, 1), max(width, 1))
    }

    var json: JSONValue {
        switch self {
        case .all: .null
        case .sqrt: "sqrt"
        case .log2: "log2"
        case .count(let count): .integer(Int64(count))
        case .fraction(let share): .number(share)
        }
    }

    static func read(_ value: JSONValue?, default fallback: MaxFeatures) throws(MLError) -> MaxFeatures {
        guard let value else { return fallback }
        if let text = value.stringValue {
            switch text {
            case "sqrt": return .sqrt
            case "log2": return .log2
            default: break
            }
        } else if case .integer(let count) = value, count >= 1 {
            return .count(Int(count))
        } else if let share = value.doubleValue, share > 0, share <= 1 {
            return share == 1 ? .all : .fraction(share)
        }
        throw .invalidParameters(
            "hyperparameters.max_features must be \"sqrt\", \"log2\", an integer ≥ 1 or a fraction in (0, 1]")
    }
}

/// Options shared by single trees and forests.
struct TreeOptions: Sendable, Equatable {
    var criterion: SplitCriterion
    var maxDepth: Int?
    var minSamplesSplit: Int
    var minSamplesLeaf: Int
    var maxFeatures: MaxFeatures
    var minImpurityDecrease: Double

    func settings(width: Int) -> TreeSettings {
        TreeSettings(
            criterion: criterion, maxDepth: maxDepth, minSamplesSplit: minSamplesSplit,
            minSamplesLeaf: minSamplesLeaf, maxFeatures: maxFeatures.resolve(width: width),
            minImpurityDecrease: minImpurityDecrease)
    }

    var json: [String: JSONValue] {
        [
            "criterion": .string(criterion.rawValue), "max_depth": maxDepth.map { .integer(Int64($0)) } ?? .null,
            "min_samples_split": .integer(Int64(minSamplesSplit)), "min_samples_leaf": .integer(Int64(minSamplesLeaf)),
            "max_features": maxFeatures.json, "min_impurity_decrease": .number(minImpurityDecrease),
        ]
    }

    static func read(_ reader: inout ParameterReader, task: MLTask, defaultMaxFeatures: MaxFeatures) throws(MLError)
        -> TreeOptions
    {
        let criteria = task == .classification ? ["gini", "entropy"] : ["squared_error"]
        let criterion = try reader.choice("criterion", criteria, default: criteria[0])
        return TreeOptions(
            criterion: SplitCriterion(rawValue: criterion) ?? .gini,
            maxDepth: try reader.integer("max_depth", minimum: 1),
            minSamplesSplit: try reader.integer("min_samples_split", default: 2, minimum: 2),
            minSamplesLeaf: try reader.integer("min_samples_leaf", default: 1, minimum: 1),
            maxFeatures: try MaxFeatures.read(reader.raw("max_features"), default: defaultMaxFeatures),
            minImpurityDecrease: try reader.double("min_impurity_decrease", default: 0, minimum: 0))
    }
}

/// The hyperparameters of one algorithm with every default filled in. The artifact records all of
/// them, so a model keeps its meaning even if a later version changes a default. Defaults follow
/// scikit-learn's where it has an equivalent; MODEL_FORMAT.md lists them.
enum Hyperparameters: Sendable, Equatable {
    case linear(alpha: Double)
    case logistic(c: Double, maxIterations: Int, tolerance: Double)
    case tree(TreeOptions)
    /// `threads` is how many trees grow at once; it does not change the forest and is not recorded.
    case forest(TreeOptions, trees: Int, bootstrap: Bool, threads: Int)
    case kmeans(clusters: Int, initialization: KMeans.Initialization, runs: Int, maxIterations: Int, tolerance: Double)

    static func read(_ value: JSONValue?, algorithm: Algorithm, task: MLTask) throws(MLError) -> Hyperparameters {
        var reader = try ParameterReader(value, context: "hyperparameters")
        let result: Hyperparameters
        switch algorithm {
        case .linearRegression:
            result = .linear(alpha: try reader.double("alpha", default: 0, minimum: 0))
        case .logisticRegression:
            result = .logistic(
                c: try reader.double("C", default: 1, above: 0),
                maxIterations: try reader.integer("max_iter", default: 100, minimum: 1),
                tolerance: try reader.double("tol", default: 1e-4, above: 0))
        case .decisionTree:
            result = .tree(try TreeOptions.read(&reader, task: task, defaultMaxFeatures: .all))
        case .randomForest:
            let options = try TreeOptions.read(
                &reader, task: task, defaultMaxFeatures: task == .classification ? .sqrt : .all)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let threads = try reader.integer("n_jobs", default: 0, minimum: 0)
            result = .forest(
                options, trees: try reader.integer("n_estimators", default: 100, minimum: 1),
                bootstrap: try reader.bool("bootstrap", default: true), threads: threads == 0 ? max(cores, 1) : threads)
        case .kmeans:
            let initialization = try reader.choice("init", ["k-means++", "random"], default: "k-means++")
            result = .kmeans(
                clusters: try reader.integer("n_clusters", default: 8, minimum: 1),
                initialization: KMeans.Initialization(rawValue: initialization) ?? .kMeansPlusPlus,
                runs: try reader.integer("n_init", default: 1, minimum: 1),
                maxIterations: try reader.integer("max_iter", default: 300, minimum: 1),
                tolerance: try reader.double("tol", default: 1e-4, minimum: 0))
        }
        try reader.finish()
        return result
    }

    /// All values, defaults included, as recorded in the artifact.
    var json: JSONValue {
        switch self {
        case .linear(let alpha):
            return ["alpha": .number(alpha)]
        case .logistic(let c, let maxIterations, let tolerance):
            return ["C": .number(c), "max_iter": .integer(Int64(maxIterations)), "tol": .number(tolerance)]
        case .tree(let options):
            return .object(options.json)
        case .forest(let options, let trees, let bootstrap, _):
            var object = options.json
            object["n_estimators"] = .integer(Int64(trees))
            object["bootstrap"] = .bool(bootstrap)
            return .object(object)
        case .kmeans(let clusters, let initialization, let runs, let maxIterations, let tolerance):
            return [
                "n_clusters": .integer(Int64(clusters)), "init": .string(initialization.rawValue),
                "n_init": .integer(Int64(runs)), "max_iter": .integer(Int64(maxIterations)), "tol": .number(tolerance),
            ]
        }
    }
}
