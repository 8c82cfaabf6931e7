import MimirCore

/// A fitted CART tree in flat arrays (node 0 is the root, children follow in depth-first order),
/// which is both the fastest form to walk and the form written to the artifact.
struct DecisionTree: Sendable, Equatable {
    /// Split feature of each node; -1 marks a leaf.
    var feature: [Int32]
    /// A sample goes left when its value, rounded to single precision as in training, is at most the
    /// threshold.
    var threshold: [Double]
    var left: [Int32]
    var right: [Int32]
    /// `outputs` numbers per node: class probabilities (classification) or the mean (regression).
    var value: [Double]
    var outputs: Int

    var nodeCount: Int { feature.count }

    var depth: Int {
        var deepest = 0
        var stack = [(0, 0)]
        while let (node, level) = stack.popLast() {
            deepest = max(deepest, level)
            if feature[node] >= 0 {
                stack.append((Int(left[node]), level + 1))
                stack.append((Int(right[node]), level + 1))
            }
        }
        return deepest
    }

    /// The leaf a row of an encoded matrix falls into.
    @inline(__always)
    func leaf(_ values: UnsafeBufferPointer<Double>, base: Int) -> Int {
        var node = 0
        while true {
            let split = feature[node]
            if split < 0 { return node }
            node = Int(Double(Float(values[base + Int(split)])) <= threshold[node] ? left[node] : right[node])
        }
    }

    /// Adds `weight` × the leaf output of every row into `sums` (rows × outputs), so a forest can
    /// average its trees without allocating per tree.
    func accumulate(_ x: Matrix, weight: Double, into sums: inout [Double]) {
        let width = x.columns
        let outputs = outputs
        x.values.withUnsafeBufferPointer { values in
            value.withUnsafeBufferPointer { leaves in
                sums.withUnsafeMutableBufferPointer { target in
                    for row in 0..<x.rows {
                        let node = leaf(values, base: row * width)
                        for k in 0..<outputs { target[row * outputs + k] += weight * leaves[node * outputs + k] }
                    }
                }
            }
        }
    }

    func json() -> JSONValue {
        [
            "feature": .array(feature.map { .integer(Int64($0)) }),
            "threshold": JSONDecoding.numbers(threshold),
            "left": .array(left.map { .integer(Int64($0)) }),
            "right": .array(right.map { .integer(Int64($0)) }),
            "value": JSONDecoding.numbers(value),
        ]
    }

    init(feature: [Int32], threshold: [Double], left: [Int32], right: [Int32], value: [Double], outputs: Int) {
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.right = right
        self.value = value
        self.outputs = outputs
    }

    /// Reads a tree back and checks it is a tree over `width` features: a corrupt file must fail
    /// here, not crash prediction with an out-of-range index.
    init(json: JSONValue, outputs: Int, width: Int) throws(MLError) {
        guard let feature = json["feature"].flatMap(JSONDecoding.ints),
            let threshold = json["threshold"].flatMap(JSONDecoding.doubles),
            let left = json["left"].flatMap(JSONDecoding.ints), let right = json["right"].flatMap(JSONDecoding.ints),
            let value = json["value"].flatMap(JSONDecoding.doubles)
        else { throw .corruptArtifact("a tree lacks one of feature, threshold, left, right, value") }
        let count = feature.count
        guard count > 0, threshold.count == count, left.count == count, right.count == count,
            value.count == count * outputs
        else { throw .corruptArtifact("a tree's node arrays have different lengths") }
        for node in 0..<count where feature[node] >= 0 {
            guard feature[node] < width, left[node] > node, left[node] < count, right[node] > node,
                right[node] < count
            else { throw .corruptArtifact("tree node \(node) points outside the tree or the features") }
        }
        self.init(
            feature: feature.map { Int32($0) }, threshold: threshold, left: left.map { Int32($0) },
            right: right.map { Int32($0) }, value: value, outputs: outputs)
    }
}
