import MimirExpressions

/// One row: values by column index (the schema lives once per step, not per row) and the line
/// of the source record it came from, for error reports. `line` is 0 for rows that no longer
/// correspond to one input record (group-by output).
struct Row {
    var values: [ExpressionValue]
    var line: Int
}

/// Rows move between steps in batches: amortises per-call overhead and lets each step be
/// timed per batch instead of per row, while memory stays bounded by the batch size.
typealias RowBatch = [Row]

let rowBatchSize = 1024
