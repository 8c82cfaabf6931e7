/// A step at run time. Pull-based: the last step asks its input for a batch, and so on up to
/// the source, so only steps that must see everything (sort, group-by, dedupe's key set, the
/// join's right side) hold more than a batch.
protocol RowOperator: AnyObject {
    /// The next non-empty batch, or nil when the input is exhausted.
    func nextBatch() throws(PipelineError) -> RowBatch?
}

/// Where a step sits in the definition and how it reports bad rows.
struct StepContext {
    let index: Int
    let errors: RowErrorLog

    func reject(_ row: Row, _ message: String) throws(PipelineError) {
        try errors.report(step: index, line: row.line, message: message)
    }
}

/// Counters for one step. Seconds are inclusive of upstream work; the result subtracts the
/// upstream step's time to report each step's own share.
final class StepStatistics {
    let index: Int
    let kind: String
    var rowsIn = 0
    var rowsOut = 0
    var inclusiveSeconds = 0.0

    init(index: Int, kind: String) {
        self.index = index
        self.kind = kind
    }
}

/// Wraps a step to count its output and time it per batch (not per row, which would cost
/// more than the work for cheap steps).
final class MeasuredOperator: RowOperator {
    private let inner: any RowOperator
    let statistics: StepStatistics

    init(_ inner: any RowOperator, statistics: StepStatistics) {
        self.inner = inner
        self.statistics = statistics
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        let start = MonotonicClock.now()
        defer { statistics.inclusiveSeconds += MonotonicClock.now() - start }
        let batch = try inner.nextBatch()
        statistics.rowsOut += batch?.count ?? 0
        return batch
    }
}
