import MimirCore

/// A fitted model of any algorithm, behind the three questions the rest of the library asks:
/// what value, which class (with what probabilities), which cluster.
enum Estimator: Sendable, Equatable {
    case linear(LinearRegression)
    case logistic(LogisticRegression)
    case tree(DecisionTree)
    case forest(RandomForest)
    case kmeans(KMeans)

    /// What the learner is given: encoded features plus the target in the form the task needs.
    enum Target {
        case values([Double])
        case classes([Int], count: Int)
        case none
    }

    static func fit(
        _ hyperparameters: Hyperparameters, x: Matrix, target: Target, seed: Int, control: TrainingControl
    ) throws(MLError) -> Estimator {
        switch (hyperparameters, target) {
        case (.linear(let alpha), .values(let y)):
            return .linear(try LinearRegression.fit(x: x, y: y, alpha: alpha, control: control))
        case (.logistic(let c, let maxIterations, let tolerance), .classes(let labels, let count)):
            return .logistic(
                try LogisticRegression.fit(
                    x: x, labels: labels, classCount: count, c: c, maxIterations: maxIterations, tolerance: tolerance,
                    control: control))
        case (.tree(let options), _):
            let data = try treeData(x: x, target: target)
            return .tree(
                try DecisionTree.fit(
                    data: data, settings: options.settings(width: x.columns), seed: seed, control: control))
        case (.forest(let options, let trees, let bootstrap, let threads), _):
            let data = try treeData(x: x, target: target)
            return .forest(
                try RandomForest.fit(
                    data: data, settings: options.settings(width: x.columns), treeCount: trees, bootstrap: bootstrap,
                    seed: seed, threads: threads, control: control))
        case (.kmeans(let clusters, let initialization, let runs, let maxIterations, let tolerance), _):
            return .kmeans(
                try KMeans.fit(
                    x: x, clusters: clusters, initialization: initialization, runs: runs, maxIterations: maxIterations,
                    tolerance: tolerance, seed: seed, control: control))
        default:
            throw .invalidParameters("the algorithm does not fit the task's target")
        }
    }

    private static func treeData(x: Matrix, target: Target) throws(MLError) -> TreeData {
        switch target {
        case .values(let y): return TreeData(x: x, targets: y)
        case .classes(let labels, let count): return TreeData(x: x, labels: labels, classCount: count)
        case .none: throw .invalidParameters("trees need a target")
        }
    }

    /// Regression predictions.
    func values(_ x: Matrix) -> [Double] {
        switch self {
        case .linear(let model): model.predict(x)
        case .tree(let tree): tree.predict(x).values
        case .forest(let forest): forest.predict(x).values
        case .logistic, .kmeans: []
        }
    }

    /// Class probabilities, one column per class in class order.
    func probabilities(_ x: Matrix) -> Matrix {
        switch self {
        case .logistic(let model): model.predictProbabilities(x)
        case .tree(let tree): tree.predict(x)
        case .forest(let forest): forest.predict(x)
        case .linear, .kmeans: Matrix(rows: x.rows, columns: 0)
        }
    }

    /// A one-line description of the fit for the job result.
    var summary: JSONValue {
        switch self {
        case .linear(let model): ["coefficients": .integer(Int64(model.coefficients.count))]
        case .logistic(let model):
            ["iterations": .integer(Int64(model.iterations)), "converged": .bool(model.converged)]
        case .tree(let tree): ["nodes": .integer(Int64(tree.nodeCount)), "depth": .integer(Int64(tree.depth))]
        case .forest(let forest):
            [
                "trees": .integer(Int64(forest.trees.count)),
                "nodes": .integer(Int64(forest.trees.reduce(0) { $0 + $1.nodeCount })),
            ]
        case .kmeans(let model): ["iterations": .integer(Int64(model.iterations)), "inertia": .number(model.inertia)]
        }
    }

    func json() -> JSONValue {
        switch self {
        case .linear(let model): model.json()
        case .logistic(let model): model.json()
        case .tree(let tree): tree.json()
        case .forest(let forest): forest.json()
        case .kmeans(let model): model.json()
        }
    }

    init(json: JSONValue, algorithm: Algorithm, outputs: Int, width: Int) throws(MLError) {
        switch algorithm {
        case .linearRegression: self = .linear(try LinearRegression(json: json, width: width))
        case .logisticRegression:
            self = .logistic(try LogisticRegression(json: json, classCount: outputs, width: width))
        case .decisionTree: self = .tree(try DecisionTree(json: json, outputs: outputs, width: width))
        case .randomForest: self = .forest(try RandomForest(json: json, outputs: outputs, width: width))
        case .kmeans: self = .kmeans(try KMeans(json: json, width: width))
        }
    }
}
