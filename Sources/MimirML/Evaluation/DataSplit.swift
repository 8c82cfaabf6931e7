/// Which rows (0-based indices into the table) train a model and which judge it.
public struct DataSplit: Sendable, Equatable {
    public let training: [Int]
    public let validation: [Int]

    public init(training: [Int], validation: [Int]) {
        self.training = training
        self.validation = validation
    }
}

/// Seeded splits. Each shuffle is `SeededGenerator.shuffle`, so a split can be reproduced outside
/// Swift from the documented generator; both halves come back in ascending row order.
enum Splitter {
    /// A shuffled holdout. Without strata, ⌈fraction × n⌉ rows validate (scikit-learn's rounding).
    /// With strata (class index per row of `rows`), each class is shuffled on its own, in class
    /// order, and round(fraction × class size) of its rows validate, leaving at least one to train.
    static func holdout(rows: [Int], fraction: Double, strata: [Int]?, seed: Int) -> DataSplit {
        var random = SeededGenerator(seed: seed)
        var validation: [Int] = []
        if let strata {
            for members in groups(rows: rows, strata: strata) {
                var shuffled = members
                random.shuffle(&shuffled)
                let count = min(Int((fraction * Double(members.count)).rounded()), members.count - 1)
                validation.append(contentsOf: shuffled.prefix(max(count, 0)))
            }
        } else {
            var shuffled = rows
            random.shuffle(&shuffled)
            let count = min(max(Int((fraction * Double(rows.count)).rounded(.up)), 1), rows.count - 1)
            validation = Array(shuffled.prefix(count))
        }
        let chosen = Set(validation)
        return DataSplit(training: rows.filter { !chosen.contains($0) }, validation: validation.sorted())
    }

    /// k folds. Without strata the shuffled rows are dealt round-robin; with strata each class is
    /// shuffled and dealt in turn, continuing the deal where the previous class stopped, so every
    /// fold gets a near-equal share of every class.
    static func folds(rows: [Int], count: Int, strata: [Int]?, seed: Int) -> [DataSplit] {
        var random = SeededGenerator(seed: seed, stream: 7_919)
        var assignment: [Int: Int] = [:]
        var dealt = 0
        for members in strata.map({ groups(rows: rows, strata: $0) }) ?? [rows] {
            var shuffled = members
            random.shuffle(&shuffled)
            for row in shuffled {
                assignment[row] = dealt % count
                dealt += 1
            }
        }
        return (0..<count).map { fold in
            DataSplit(
                training: rows.filter { assignment[$0] != fold }, validation: rows.filter { assignment[$0] == fold })
        }
    }

    private static func groups(rows: [Int], strata: [Int]) -> [[Int]] {
        var groups = Array(repeating: [Int](), count: (strata.max() ?? -1) + 1)
        for (position, row) in rows.enumerated() { groups[strata[position]].append(row) }
        return groups.filter { !$0.isEmpty }
    }
}
