import MimirCore
import MimirExpressions

/// Buffers every row, then sorts stably by the keys. Memory holds the whole input (no spill to
/// disk). Nulls sort last ascending and first descending (null counts as the largest value);
/// values of different types order by type (booleans, numbers, text) instead of failing.
final class SortOperator: RowOperator {
    private let input: any RowOperator
    private let keys: [(index: Int, descending: Bool)]
    private var sorted: [Row]?
    private var position = 0

    init(input: any RowOperator, keys: [(index: Int, descending: Bool)]) {
        self.input = input
        self.keys = keys
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        if sorted == nil { sorted = try sortAll() }
        guard let sorted, position < sorted.count else { return nil }
        let end = min(position + rowBatchSize, sorted.count)
        defer { position = end }
        return Array(sorted[position..<end])
    }

    private func sortAll() throws(PipelineError) -> [Row] {
        var rows: [Row] = []
        while let batch = try input.nextBatch() { rows.append(contentsOf: batch) }
        let keys = self.keys
        // Sorting indices with the index as the last tiebreak makes the order stable.
        let order = rows.indices.sorted { left, right in
            for key in keys {
                let comparison = Self.compare(rows[left].values[key.index], rows[right].values[key.index])
                if comparison != 0 { return key.descending ? comparison > 0 : comparison < 0 }
            }
            return left < right
        }
        return order.map { rows[$0] }
    }

    static func compare(_ left: ExpressionValue, _ right: ExpressionValue) -> Int {
        let (leftRank, rightRank) = (rank(left), rank(right))
        if leftRank != rightRank { return leftRank < rightRank ? -1 : 1 }
        return (try? Comparison.order(left, right)).flatMap { $0 } ?? 0
    }

    private static func rank(_ value: ExpressionValue) -> Int {
        switch value {
        case .bool: 0
        case .integer, .number: 1
        case .string: 2
        case .null: 3
        }
    }
}
