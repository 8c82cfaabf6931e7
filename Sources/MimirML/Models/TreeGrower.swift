import Foundation

/// Impurity measures. Gini and entropy (in bits, as scikit-learn reports it) for classification,
/// squared error for regression.
enum SplitCriterion: String, Sendable, Equatable {
    case gini
    case entropy
    case squaredError = "squared_error"
}

/// The stopping rules of one tree, with `maxFeatures` already resolved to a count.
struct TreeSettings: Sendable, Equatable {
    var criterion: SplitCriterion
    var maxDepth: Int?
    var minSamplesSplit: Int
    var minSamplesLeaf: Int
    var maxFeatures: Int
    var minImpurityDecrease: Double
}

/// The training matrix in the form the tree learner wants, built once and shared read-only by every
/// tree of a forest: columns contiguous, and each column's sample order presorted, so no node ever
/// sorts — splitting a node only partitions the presorted lists (O(samples × features) per level).
final class TreeData: Sendable {
    let rows: Int
    let width: Int
    /// `columns[f * rows + i]`: feature f of sample i, in single precision as scikit-learn keeps it:
    /// half the memory traffic in the split scans, and thresholds (and the side a value exactly
    /// between two training values falls on) that agree with scikit-learn's.
    let columns: [Float]
    /// `sorted[f * rows + k]`: the sample with the k-th smallest value of feature f (ties by index).
    let sorted: [Int32]
    /// Class index per sample (classification) or empty.
    let labels: [Int32]
    /// Target per sample (regression) or empty.
    let targets: [Double]
    /// Number of classes; 0 for regression.
    let classCount: Int

    convenience init(x: Matrix, labels: [Int], classCount: Int) {
        self.init(x: x, labels: labels.map { Int32($0) }, targets: [], classCount: classCount)
    }

    convenience init(x: Matrix, targets: [Double]) {
        self.init(x: x, labels: [], targets: targets, classCount: 0)
    }

    private init(x: Matrix, labels: [Int32], targets: [Double], classCount: Int) {
        rows = x.rows
        width = x.columns
        let columns = x.columnMajor().flatMap { $0.map { Float($0) } }
        self.columns = columns
        var sorted = [Int32](repeating: 0, count: rows * width)
        let count = rows
        for feature in 0..<width {
            var order = (0..<count).map { Int32($0) }
            columns.withUnsafeBufferPointer { all in
                let column = UnsafeBufferPointer(rebasing: all[(feature * count)..<((feature + 1) * count)])
                order.sort { a, b in
                    let left = column[Int(a)]
                    let right = column[Int(b)]
                    return left < right || (left == right && a < b)
                }
            }
            sorted.replaceSubrange((feature * count)..<((feature + 1) * count), with: order)
        }
        self.sorted = sorted
        self.labels = labels
        self.targets = targets
        self.classCount = classCount
    }
}

/// Grows one CART tree depth-first. Each node visits the features in a fresh seeded random order
/// (as scikit-learn does, even when it searches them all) and stops after `maxFeatures` non-constant
/// ones; ties between equally good splits go to the feature visited first, then to the lowest
/// threshold. A tree therefore depends only on the data, the settings and the seed, and the seed
/// decides between features that split equally well (on iris, petal length and petal width).
final class TreeGrower {
    private let data: TreeData
    private let settings: TreeSettings
    private var random: SeededGenerator
    private let sampleCount: Int
    private let weights: UnsafeMutableBufferPointer<Double>
    private let order: UnsafeMutableBufferPointer<Int32>
    private let goesLeft: UnsafeMutableBufferPointer<Bool>
    private let scratch: UnsafeMutableBufferPointer<Int32>
    private let counts: UnsafeMutableBufferPointer<Double>
    private var featurePool: [Int]
    private var totalWeight = 0.0

    private var nodeFeature: [Int32] = []
    private var nodeThreshold: [Double] = []
    private var nodeLeft: [Int32] = []
    private var nodeRight: [Int32] = []
    private var nodeValue: [Double] = []

    /// `sampleWeights` (bootstrap counts) nil means every sample once; a zero weight leaves the
    /// sample out of the tree entirely.
    init(data: TreeData, settings: TreeSettings, sampleWeights: [Double]?, random: SeededGenerator) {
        self.data = data
        self.settings = settings
        self.random = random
        weights = .allocate(capacity: data.rows)
        goesLeft = .allocate(capacity: data.rows)
        goesLeft.initialize(repeating: false)
        if let sampleWeights {
            _ = weights.initialize(from: sampleWeights)
        } else {
            weights.initialize(repeating: 1)
        }
        var kept = 0
        for sample in 0..<data.rows where weights[sample] > 0 { kept += 1 }
        sampleCount = kept
        order = .allocate(capacity: max(1, kept * data.width))
        scratch = .allocate(capacity: max(1, kept))
        counts = .allocate(capacity: max(1, data.classCount * 3))
        counts.initialize(repeating: 0)
        featurePool = Array(0..<data.width)
        for feature in 0..<data.width {
            var position = feature * kept
            for k in (feature * data.rows)..<((feature + 1) * data.rows) {
                let sample = data.sorted[k]
                if weights[Int(sample)] > 0 {
                    order[position] = sample
                    position += 1
                }
            }
        }
        for sample in 0..<data.rows { totalWeight += weights[sample] }
    }

    deinit {
        weights.deallocate()
        order.deallocate()
        goesLeft.deallocate()
        scratch.deallocate()
        counts.deallocate()
    }

    private struct Split {
        var feature: Int
        var position: Int
        var threshold: Double
        var proxy: Double
    }

    func grow() -> DecisionTree {
        let outputs = data.classCount == 0 ? 1 : data.classCount
        var stack: [(node: Int, start: Int, end: Int, depth: Int)] = []
        addNode(outputs: outputs)
        if sampleCount > 0 { stack.append((0, 0, sampleCount, 0)) }
        while let (node, start, end, depth) = stack.popLast() {
            let (impurity, parentProxy) = summarize(node: node, start: start, end: end, outputs: outputs)
            let size = end - start
            var splittable = size >= settings.minSamplesSplit && size >= 2 * settings.minSamplesLeaf
            if let maxDepth = settings.maxDepth, depth >= maxDepth { splittable = false }
            guard splittable, impurity > 1e-15, let split = bestSplit(start: start, end: end) else { continue }
            if settings.minImpurityDecrease > 0 {
                var decrease = (split.proxy - parentProxy) / totalWeight
                if settings.criterion == .entropy { decrease /= log(2.0) }
                guard decrease + 1e-15 >= settings.minImpurityDecrease else { continue }
            }
            partition(start: start, end: end, split: split)
            let leftChild = nodeFeature.count
            addNode(outputs: outputs)
            addNode(outputs: outputs)
            nodeFeature[node] = Int32(split.feature)
            nodeThreshold[node] = split.threshold
            nodeLeft[node] = Int32(leftChild)
            nodeRight[node] = Int32(leftChild + 1)
            let middle = split.position + 1
            stack.append((leftChild + 1, middle, end, depth + 1))
            stack.append((leftChild, start, middle, depth + 1))
        }
        return DecisionTree(
            feature: nodeFeature, threshold: nodeThreshold, left: nodeLeft, right: nodeRight, value: nodeValue,
            outputs: outputs)
    }

    private func addNode(outputs: Int) {
        nodeFeature.append(-1)
        nodeThreshold.append(0)
        nodeLeft.append(-1)
        nodeRight.append(-1)
        nodeValue.append(contentsOf: repeatElement(0, count: outputs))
    }

    /// Sets the node's output and returns its impurity and the split criterion's value for the node
    /// left whole (what a split must beat for `min_impurity_decrease`).
    private func summarize(node: Int, start: Int, end: Int, outputs: Int) -> (Double, Double) {
        var weight = 0.0
        if data.classCount > 0 {
            for k in 0..<data.classCount { counts[k] = 0 }
            for i in start..<end {
                let sample = Int(order[i])
                counts[Int(data.labels[sample])] += weights[sample]
                weight += weights[sample]
            }
            var gini = 1.0
            var entropy = 0.0
            var proxy = 0.0
            for k in 0..<data.classCount {
                let share = counts[k] / weight
                nodeValue[node * outputs + k] = share
                gini -= share * share
                if share > 0 { entropy -= share * log(share) }
                proxy += settings.criterion == .entropy ? xLogX(counts[k]) : counts[k] * counts[k]
            }
            if settings.criterion == .entropy { return (entropy, proxy - xLogX(weight)) }
            return (gini, proxy / weight)
        }
        var sum = 0.0
        for i in start..<end {
            let sample = Int(order[i])
            sum += weights[sample] * data.targets[sample]
            weight += weights[sample]
        }
        let mean = sum / weight
        var squares = 0.0
        for i in start..<end {
            let sample = Int(order[i])
            let deviation = data.targets[sample] - mean
            squares += weights[sample] * deviation * deviation
        }
        nodeValue[node] = mean
        return (squares / weight, sum * sum / weight)
    }

    private func xLogX(_ value: Double) -> Double { value > 0 ? value * log(value) : 0 }

    private func bestSplit(start: Int, end: Int) -> Split? {
        var best: Split?
        let width = data.width
        var searched = 0
        for visited in 0..<width {
            let pick = visited + random.nextIndex(below: width - visited)
            featurePool.swapAt(visited, pick)
            let feature = featurePool[visited]
            let base = feature * sampleCount
            let column = feature * data.rows
            let low = data.columns[column + Int(order[base + start])]
            let high = data.columns[column + Int(order[base + end - 1])]
            guard high > low else { continue }
            scan(feature: feature, start: start, end: end, best: &best)
            searched += 1
            if searched >= settings.maxFeatures { break }
        }
        return best
    }

    private func scan(feature: Int, start: Int, end: Int, best: inout Split?) {
        let base = feature * sampleCount
        let minLeaf = settings.minSamplesLeaf
        data.columns.withUnsafeBufferPointer { all in
            let values = UnsafeBufferPointer(rebasing: all[(feature * data.rows)..<((feature + 1) * data.rows)])
            var bestProxy = best?.proxy ?? -Double.infinity
            var found: (position: Int, threshold: Double)?
            func consider(_ i: Int, _ proxy: Double) {
                let current = values[Int(order[base + i])]
                let next = values[Int(order[base + i + 1])]
                var threshold = (Double(current) + Double(next)) / 2
                if threshold == Double(next) || !threshold.isFinite { threshold = Double(current) }
                bestProxy = proxy
                found = (i, threshold)
            }
            if data.classCount > 0 {
                let classes = data.classCount
                let leftCounts = counts.baseAddress.map {
                    UnsafeMutableBufferPointer(start: $0 + classes, count: classes)
                }
                let rightCounts = counts.baseAddress.map {
                    UnsafeMutableBufferPointer(start: $0 + 2 * classes, count: classes)
                }
                guard let leftCounts, let rightCounts else { return }
                for k in 0..<classes {
                    leftCounts[k] = 0
                    rightCounts[k] = 0
                }
                var totalRight = 0.0
                for i in start..<end {
                    let sample = Int(order[base + i])
                    rightCounts[Int(data.labels[sample])] += weights[sample]
                    totalRight += weights[sample]
                }
                var totalLeft = 0.0
                let entropy = settings.criterion == .entropy
                for i in start..<(end - 1) {
                    let sample = Int(order[base + i])
                    let weight = weights[sample]
                    let label = Int(data.labels[sample])
                    leftCounts[label] += weight
                    rightCounts[label] -= weight
                    totalLeft += weight
                    totalRight -= weight
                    if i - start + 1 < minLeaf { continue }
                    if end - i - 1 < minLeaf { break }
                    if values[Int(order[base + i + 1])] <= values[sample] { continue }
                    var proxy = 0.0
                    if entropy {
                        for k in 0..<classes { proxy += xLogX(leftCounts[k]) + xLogX(rightCounts[k]) }
                        proxy -= xLogX(totalLeft) + xLogX(totalRight)
                    } else {
                        var left = 0.0
                        var right = 0.0
                        for k in 0..<classes {
                            left += leftCounts[k] * leftCounts[k]
                            right += rightCounts[k] * rightCounts[k]
                        }
                        proxy = left / totalLeft + right / totalRight
                    }
                    if proxy > bestProxy { consider(i, proxy) }
                }
            } else {
                var total = 0.0
                var totalWeight = 0.0
                for i in start..<end {
                    let sample = Int(order[base + i])
                    total += weights[sample] * data.targets[sample]
                    totalWeight += weights[sample]
                }
                var sumLeft = 0.0
                var weightLeft = 0.0
                for i in start..<(end - 1) {
                    let sample = Int(order[base + i])
                    let weight = weights[sample]
                    sumLeft += weight * data.targets[sample]
                    weightLeft += weight
                    if i - start + 1 < minLeaf { continue }
                    if end - i - 1 < minLeaf { break }
                    if values[Int(order[base + i + 1])] <= values[sample] { continue }
                    let sumRight = total - sumLeft
                    let proxy = sumLeft * sumLeft / weightLeft + sumRight * sumRight / (totalWeight - weightLeft)
                    if proxy > bestProxy { consider(i, proxy) }
                }
            }
            if let found {
                best = Split(feature: feature, position: found.position, threshold: found.threshold, proxy: bestProxy)
            }
        }
    }

    /// Moves the left-going samples to the front of the node's range in every feature's list,
    /// keeping each list sorted (a stable partition).
    private func partition(start: Int, end: Int, split: Split) {
        let chosen = split.feature * sampleCount
        for i in start..<end { goesLeft[Int(order[chosen + i])] = i <= split.position }
        for feature in 0..<data.width where feature != split.feature {
            let base = feature * sampleCount
            var leftEnd = base + start
            var rightCount = 0
            for i in (base + start)..<(base + end) {
                let sample = order[i]
                if goesLeft[Int(sample)] {
                    order[leftEnd] = sample
                    leftEnd += 1
                } else {
                    scratch[rightCount] = sample
                    rightCount += 1
                }
            }
            for k in 0..<rightCount { order[leftEnd + k] = scratch[k] }
        }
    }
}
