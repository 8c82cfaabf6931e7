import Foundation
import MimirCore

/// Lloyd's k-means with greedy k-means++ seeding (Arthur and Vassilvitskii, 2007, with
/// scikit-learn's 2 + ⌊ln k⌋ candidates per centre). Each of the `n_init` runs draws from its own
/// generator stream and the run with the lowest inertia wins (the first, on a tie).
struct KMeans: Sendable, Equatable {
    /// `centroids[c * width + j]`.
    var centroids: [Double]
    var clusterCount: Int
    var width: Int
    var inertia: Double
    var iterations: Int

    enum Initialization: String, Sendable {
        case kMeansPlusPlus = "k-means++"
        case random
    }

    static func fit(
        x: Matrix, clusters: Int, initialization: Initialization, runs: Int, maxIterations: Int, tolerance: Double,
        seed: Int, control: TrainingControl
    ) throws(MLError) -> KMeans {
        // scikit-learn's tolerance is relative to the data: tol × the mean per-feature variance.
        let p = x.columns
        var variances = 0.0
        for column in 0..<p {
            var mean = 0.0
            for row in 0..<x.rows { mean += x[row, column] }
            mean /= Double(x.rows)
            var squares = 0.0
            for row in 0..<x.rows { squares += (x[row, column] - mean) * (x[row, column] - mean) }
            variances += squares / Double(x.rows)
        }
        let shiftTolerance = p == 0 ? 0 : tolerance * variances / Double(p)
        var best: KMeans?
        for run in 0..<runs {
            var random = SeededGenerator(seed: seed, stream: run)
            var centres =
                initialization == .random
                ? randomCentres(x, clusters: clusters, random: &random)
                : plusPlusCentres(x, clusters: clusters, random: &random)
            var labels = [Int](repeating: -1, count: x.rows)
            var iterations = 0
            let runControl = control.slice(
                from: Double(run) / Double(runs), to: Double(run + 1) / Double(runs),
                label: runs > 1 ? "run \(run + 1) of \(runs)" : "")
            while iterations < maxIterations {
                iterations += 1
                let changed = assign(x, centres: centres, clusters: clusters, labels: &labels)
                var updated = update(x, labels: labels, clusters: clusters, previous: centres)
                var shift = 0.0
                for i in centres.indices { shift += (updated[i] - centres[i]) * (updated[i] - centres[i]) }
                swap(&centres, &updated)
                try runControl.step(
                    Double(iterations) / Double(maxIterations), "iteration \(iterations), centre shift \(shift)")
                if changed == 0 || shift <= shiftTolerance { break }
            }
            _ = assign(x, centres: centres, clusters: clusters, labels: &labels)
            var inertia = 0.0
            for row in 0..<x.rows { inertia += distance(x, row, centres, labels[row]) }
            let model = KMeans(
                centroids: centres, clusterCount: clusters, width: p, inertia: inertia, iterations: iterations)
            if best.map({ inertia < $0.inertia }) ?? true { best = model }
        }
        guard let best else { throw .invalidParameters("n_init must be at least 1") }
        return best
    }

    /// Squared distance from row `row` of `x` to centre `centre`.
    @inline(__always)
    static func distance(_ x: Matrix, _ row: Int, _ centres: [Double], _ centre: Int) -> Double {
        let p = x.columns
        var sum = 0.0
        for j in 0..<p {
            let difference = x.values[row * p + j] - centres[centre * p + j]
            sum += difference * difference
        }
        return sum
    }

    /// Nearest centre for every row (the lowest index on a tie); returns how many labels changed.
    private static func assign(_ x: Matrix, centres: [Double], clusters: Int, labels: inout [Int]) -> Int {
        var changed = 0
        for row in 0..<x.rows {
            var nearest = 0
            var nearestDistance = Double.infinity
            for centre in 0..<clusters {
                let d = distance(x, row, centres, centre)
                if d < nearestDistance {
                    nearestDistance = d
                    nearest = centre
                }
            }
            if labels[row] != nearest {
                labels[row] = nearest
                changed += 1
            }
        }
        return changed
    }

    /// Means of the assigned rows. An emptied cluster takes the row farthest from its centre, so k
    /// clusters stay k clusters.
    private static func update(_ x: Matrix, labels: [Int], clusters: Int, previous: [Double]) -> [Double] {
        let p = x.columns
        var sums = [Double](repeating: 0, count: clusters * p)
        var sizes = [Int](repeating: 0, count: clusters)
        for row in 0..<x.rows {
            let label = labels[row]
            sizes[label] += 1
            for j in 0..<p { sums[label * p + j] += x.values[row * p + j] }
        }
        var taken = Set<Int>()
        for centre in 0..<clusters {
            if sizes[centre] > 0 {
                for j in 0..<p { sums[centre * p + j] /= Double(sizes[centre]) }
                continue
            }
            var farthest = 0
            var farthestDistance = -1.0
            for row in 0..<x.rows where !taken.contains(row) {
                let d = distance(x, row, previous, labels[row])
                if d > farthestDistance {
                    farthestDistance = d
                    farthest = row
                }
            }
            taken.insert(farthest)
            for j in 0..<p { sums[centre * p + j] = x.values[farthest * p + j] }
        }
        return sums
    }

    private static func randomCentres(_ x: Matrix, clusters: Int, random: inout SeededGenerator) -> [Double] {
        var rows = Array(0..<x.rows)
        random.shuffle(&rows)
        return rows.prefix(clusters).flatMap { row in x.values[(row * x.columns)..<((row + 1) * x.columns)] }
    }

    private static func plusPlusCentres(_ x: Matrix, clusters: Int, random: inout SeededGenerator) -> [Double] {
        let n = x.rows
        let p = x.columns
        let trials = 2 + Int(log(Double(clusters)))
        var centres: [Double] = []
        let first = random.nextIndex(below: n)
        centres.append(contentsOf: x.values[(first * p)..<((first + 1) * p)])
        var closest = (0..<n).map { distance(x, $0, centres, 0) }
        var potential = closest.reduce(0, +)
        for _ in 1..<max(clusters, 1) {
            var bestCandidate = 0
            var bestPotential = Double.infinity
            var bestClosest: [Double] = closest
            for _ in 0..<trials {
                // Sample a row with probability proportional to its squared distance.
                let target = random.nextUnit() * potential
                var cumulative = 0.0
                var candidate = n - 1
                for row in 0..<n {
                    cumulative += closest[row]
                    if cumulative > target {
                        candidate = row
                        break
                    }
                }
                let point = Array(x.values[(candidate * p)..<((candidate + 1) * p)])
                var trial = closest
                var trialPotential = 0.0
                for row in 0..<n {
                    let d = distance(x, row, point, 0)
                    if d < trial[row] { trial[row] = d }
                    trialPotential += trial[row]
                }
                if trialPotential < bestPotential {
                    bestPotential = trialPotential
                    bestCandidate = candidate
                    bestClosest = trial
                }
            }
            centres.append(contentsOf: x.values[(bestCandidate * p)..<((bestCandidate + 1) * p)])
            closest = bestClosest
            potential = bestPotential
        }
        return centres
    }

    /// Nearest centroid and the squared distance to it, per row.
    func assign(_ x: Matrix) -> (labels: [Int], distances: [Double]) {
        var labels = [Int](repeating: 0, count: x.rows)
        var distances = [Double](repeating: 0, count: x.rows)
        for row in 0..<x.rows {
            var nearestDistance = Double.infinity
            for centre in 0..<clusterCount {
                let d = Self.distance(x, row, centroids, centre)
                if d < nearestDistance {
                    nearestDistance = d
                    labels[row] = centre
                }
            }
            distances[row] = nearestDistance
        }
        return (labels, distances)
    }

    func json() -> JSONValue {
        [
            "centroids": JSONDecoding.numbers(centroids), "n_clusters": .integer(Int64(clusterCount)),
            "inertia": .number(inertia), "iterations": .integer(Int64(iterations)),
        ]
    }

    init(centroids: [Double], clusterCount: Int, width: Int, inertia: Double, iterations: Int) {
        self.centroids = centroids
        self.clusterCount = clusterCount
        self.width = width
        self.inertia = inertia
        self.iterations = iterations
    }

    init(json: JSONValue, width: Int) throws(MLError) {
        guard let centroids = json["centroids"].flatMap(JSONDecoding.doubles),
            let clusters = json["n_clusters"]?.int64Value, clusters > 0, centroids.count == Int(clusters) * width
        else { throw .corruptArtifact("k-means centroids do not match the feature schema") }
        self.init(
            centroids: centroids, clusterCount: Int(clusters), width: width,
            inertia: json["inertia"]?.doubleValue ?? 0, iterations: Int(json["iterations"]?.int64Value ?? 0))
    }
}
