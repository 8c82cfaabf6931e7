/// Turns a record reader into batches, applying the row-error policy to malformed records and
/// ticking the monitor (progress, cancellation) once per batch.
final class SourceOperator: RowOperator {
    private let reader: any RecordReader
    private let context: StepContext
    private let monitor: ExecutionMonitor
    /// Set for a join's second input, so bad rows name the file they came from.
    private let dataset: String?
    private(set) var recordsRead = 0
    private var finished = false
    private var deferredBad: (line: Int, message: String)?

    init(reader: any RecordReader, context: StepContext, monitor: ExecutionMonitor, dataset: String?) {
        self.reader = reader
        self.context = context
        self.monitor = monitor
        self.dataset = dataset
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        if let (line, message) = deferredBad {
            deferredBad = nil
            recordsRead += 1
            try context.errors.report(step: context.index, line: line, message: message, dataset: dataset)
        }
        while !finished {
            var batch: RowBatch = []
            batch.reserveCapacity(rowBatchSize)
            var consumed = 0
            while batch.count < rowBatchSize {
                let outcome: RecordOutcome
                do throws(FileFailure) {
                    outcome = try reader.next()
                } catch {
                    throw .dataset(step: context.index, dataset: dataset ?? "source", message: error.description)
                }
                switch outcome {
                case .row(let row):
                    batch.append(row)
                    consumed += 1
                case .bad(let line, let message):
                    // Rows before a bad record go downstream first, so bad rows are reported
                    // in file order even when a later step rejects an earlier row.
                    if !batch.isEmpty {
                        deferredBad = (line, message)
                        break
                    }
                    consumed += 1
                    try context.errors.report(step: context.index, line: line, message: message, dataset: dataset)
                case .end:
                    finished = true
                }
                if finished || deferredBad != nil { break }
            }
            recordsRead += consumed
            try monitor.tick(rows: consumed)
            if !batch.isEmpty { return batch }
        }
        return nil
    }
}
