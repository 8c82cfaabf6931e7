import MimirCore
import MimirExpressions

/// Hash join: the second dataset (right side) is read whole into a hash table on first use;
/// left rows then stream through. Memory grows with the right side. Null keys never match.
/// `inner` emits one row per match; `left` also keeps unmatched left rows with nulls.
final class JoinOperator: RowOperator {
    private let input: any RowOperator
    private let right: SourceOperator
    private let leftKeys: [Int]
    private let rightKeys: [Int]
    private let rightColumns: [Int]
    private let keepUnmatched: Bool
    private var table: [[ExpressionValue]: [[ExpressionValue]]]?
    private(set) var rightRows = 0

    init(
        input: any RowOperator, right: SourceOperator, leftKeys: [Int], rightKeys: [Int], rightColumns: [Int],
        how: JoinKind
    ) {
        self.input = input
        self.right = right
        self.leftKeys = leftKeys
        self.rightKeys = rightKeys
        self.rightColumns = rightColumns
        self.keepUnmatched = how == .left
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        if table == nil { table = try build() }
        guard let table else { return nil }
        let nulls = Array(repeating: ExpressionValue.null, count: rightColumns.count)
        while let batch = try input.nextBatch() {
            var joined: RowBatch = []
            joined.reserveCapacity(batch.count)
            for row in batch {
                let key = KeyValues.key(row.values, leftKeys)
                if !key.contains(.null), let matches = table[key] {
                    for match in matches { joined.append(Row(values: row.values + match, line: row.line)) }
                } else if keepUnmatched {
                    joined.append(Row(values: row.values + nulls, line: row.line))
                }
            }
            if !joined.isEmpty { return joined }
        }
        return nil
    }

    private func build() throws(PipelineError) -> [[ExpressionValue]: [[ExpressionValue]]] {
        var table: [[ExpressionValue]: [[ExpressionValue]]] = [:]
        while let batch = try right.nextBatch() {
            rightRows += batch.count
            for row in batch {
                let key = KeyValues.key(row.values, rightKeys)
                if key.contains(.null) { continue }
                table[key, default: []].append(rightColumns.map { row.values[$0] })
            }
        }
        return table
    }
}
