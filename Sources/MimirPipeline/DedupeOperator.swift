import MimirCore
import MimirExpressions

/// Drops rows whose key columns (all columns by default) were seen before, keeping the first.
/// Streams rows through but remembers every distinct key: memory grows with distinct keys.
final class DedupeOperator: RowOperator {
    private let input: any RowOperator
    /// nil: the whole row is the key.
    private let indices: [Int]?
    private var seen: Set<[ExpressionValue]> = []

    init(input: any RowOperator, indices: [Int]?) {
        self.input = input
        self.indices = indices
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        while let batch = try input.nextBatch() {
            var unique: RowBatch = []
            for row in batch {
                let key = indices.map { KeyValues.key(row.values, $0) } ?? row.values.map(KeyValues.normalized)
                if seen.insert(key).inserted { unique.append(row) }
            }
            if !unique.isEmpty { return unique }
        }
        return nil
    }
}
