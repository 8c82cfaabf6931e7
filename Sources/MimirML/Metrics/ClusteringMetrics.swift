import MimirCore

/// Inertia (sum of squared distances to the nearest centroid) and the silhouette coefficient.
/// The silhouette costs O(n²) distances, so above `silhouetteSampleLimit` rows it is computed on a
/// seeded random sample of that many rows (the same rows for the same seed).
public struct ClusteringMetrics: Sendable, Equatable {
    public static let silhouetteSampleLimit = 5_000

    public let inertia: Double
    /// Mean silhouette; nil when it is undefined (fewer than two clusters among the rows).
    public let silhouette: Double?
    public let silhouetteRows: Int
    public let clusterSizes: [Int]
    public let count: Int

    init(x: Matrix, labels: [Int], distances: [Double], clusters: Int, seed: Int) {
        inertia = distances.reduce(0, +)
        var sizes = [Int](repeating: 0, count: clusters)
        for label in labels { sizes[label] += 1 }
        clusterSizes = sizes
        count = x.rows
        var rows = Array(0..<x.rows)
        if rows.count > Self.silhouetteSampleLimit {
            var random = SeededGenerator(seed: seed, stream: 1_000_003)
            random.shuffle(&rows)
            rows = Array(rows.prefix(Self.silhouetteSampleLimit)).sorted()
        }
        silhouetteRows = rows.count
        silhouette = Self.silhouette(x: x, labels: labels, rows: rows, clusters: clusters)
    }

    /// Rousseeuw's silhouette with Euclidean distance; a row alone in its cluster scores 0, as in
    /// scikit-learn.
    private static func silhouette(x: Matrix, labels: [Int], rows: [Int], clusters: Int) -> Double? {
        var present = Set<Int>()
        for row in rows { present.insert(labels[row]) }
        guard present.count >= 2, present.count < rows.count else { return nil }
        var sizes = [Int](repeating: 0, count: clusters)
        for row in rows { sizes[labels[row]] += 1 }
        let p = x.columns
        var total = 0.0
        var sums = [Double](repeating: 0, count: clusters)
        for row in rows {
            for c in 0..<clusters { sums[c] = 0 }
            for other in rows where other != row {
                var squares = 0.0
                for j in 0..<p {
                    let difference = x.values[row * p + j] - x.values[other * p + j]
                    squares += difference * difference
                }
                sums[labels[other]] += squares.squareRoot()
            }
            let own = labels[row]
            guard sizes[own] > 1 else { continue }
            let within = sums[own] / Double(sizes[own] - 1)
            var nearest = Double.infinity
            for c in 0..<clusters where c != own && sizes[c] > 0 { nearest = min(nearest, sums[c] / Double(sizes[c])) }
            let spread = max(within, nearest)
            total += spread > 0 ? (nearest - within) / spread : 0
        }
        return total / Double(rows.count)
    }

    public func json() -> JSONValue {
        [
            "inertia": .number(inertia), "silhouette": silhouette.map { .number($0) } ?? .null,
            "silhouette_rows": .integer(Int64(silhouetteRows)), "cluster_sizes": JSONDecoding.integers(clusterSizes),
            "count": .integer(Int64(count)),
        ]
    }
}
