import Dispatch
import MimirCore
import Synchronization

/// Bagged CART trees. Each tree draws its bootstrap sample and its per-node feature subsets from
/// its own generator, `SeededGenerator(seed:stream: tree index)`, so the forest is the same whether
/// its trees are grown on one thread or several, in whatever order they finish.
struct RandomForest: Sendable, Equatable {
    var trees: [DecisionTree]
    var outputs: Int

    static func fit(
        data: TreeData, settings: TreeSettings, treeCount: Int, bootstrap: Bool, seed: Int, threads: Int,
        control: TrainingControl
    ) throws(MLError) -> RandomForest {
        struct State {
            var next = 0
            var finished = 0
            var trees: [DecisionTree?]
            var failure: MLError?
        }
        let state = Mutex(State(trees: Array(repeating: nil, count: treeCount)))
        let workers = max(1, min(threads, treeCount))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index: Int? = state.withLock { state in
                    guard state.failure == nil, state.next < treeCount else { return nil }
                    state.next += 1
                    return state.next - 1
                }
                guard let index else { return }
                var random = SeededGenerator(seed: seed, stream: index)
                var weights: [Double]?
                if bootstrap {
                    var counts = [Double](repeating: 0, count: data.rows)
                    for _ in 0..<data.rows { counts[random.nextIndex(below: data.rows)] += 1 }
                    weights = counts
                }
                let tree = TreeGrower(data: data, settings: settings, sampleWeights: weights, random: random).grow()
                let finished = state.withLock { state in
                    state.trees[index] = tree
                    state.finished += 1
                    return state.finished
                }
                do throws(MLError) {
                    try control.step(Double(finished) / Double(treeCount), "tree \(finished) of \(treeCount)")
                } catch {
                    state.withLock { $0.failure = error }
                }
            }
        }
        let (trees, failure) = state.withLock { ($0.trees.compactMap { $0 }, $0.failure) }
        if let failure { throw failure }
        return RandomForest(trees: trees, outputs: data.classCount == 0 ? 1 : data.classCount)
    }

    /// The mean of the trees' outputs: averaged class probabilities, as scikit-learn does, or the
    /// mean prediction.
    func predict(_ x: Matrix) -> Matrix {
        var sums = [Double](repeating: 0, count: x.rows * outputs)
        let weight = 1 / Double(trees.count)
        for tree in trees { tree.accumulate(x, weight: weight, into: &sums) }
        return Matrix(rows: x.rows, columns: outputs, values: sums)
    }

    func json() -> JSONValue {
        ["trees": .array(trees.map { $0.json() })]
    }

    init(trees: [DecisionTree], outputs: Int) {
        self.trees = trees
        self.outputs = outputs
    }

    init(json: JSONValue, outputs: Int, width: Int) throws(MLError) {
        guard let list = json["trees"]?.arrayValue, !list.isEmpty else {
            throw .corruptArtifact("the forest has no trees")
        }
        var trees: [DecisionTree] = []
        for item in list { trees.append(try DecisionTree(json: item, outputs: outputs, width: width)) }
        self.init(trees: trees, outputs: outputs)
    }
}

extension DecisionTree {
    static func fit(data: TreeData, settings: TreeSettings, seed: Int, control: TrainingControl) throws(MLError)
        -> DecisionTree
    {
        try control.checkCancelled()
        let tree = TreeGrower(data: data, settings: settings, sampleWeights: nil, random: SeededGenerator(seed: seed))
            .grow()
        try control.step(1, "grew a tree of \(tree.nodeCount) nodes")
        return tree
    }

    /// Outputs per row: class probabilities or the predicted value.
    func predict(_ x: Matrix) -> Matrix {
        var sums = [Double](repeating: 0, count: x.rows * outputs)
        accumulate(x, weight: 1, into: &sums)
        return Matrix(rows: x.rows, columns: outputs, values: sums)
    }
}
