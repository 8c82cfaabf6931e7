/// Applies the row-error policy in one place so every step behaves the same: under `fail` the
/// first bad row ends the run; under `skip` rows are counted per step and the first few kept.
final class RowErrorLog {
    let policy: RowErrorPolicy
    let maxRecorded: Int
    private(set) var recorded: [BadRow] = []
    private(set) var skippedByStep: [Int: Int] = [:]
    private(set) var totalSkipped = 0

    init(policy: RowErrorPolicy, maxRecorded: Int) {
        self.policy = policy
        self.maxRecorded = maxRecorded
    }

    /// Returns normally when the row should be dropped and processing continue.
    func report(step: Int, line: Int, message: String, dataset: String? = nil) throws(PipelineError) {
        let bad = BadRow(step: step, line: line > 0 ? line : nil, message: message, dataset: dataset)
        guard policy == .skip else { throw .badRow(bad) }
        totalSkipped += 1
        skippedByStep[step, default: 0] += 1
        if recorded.count < maxRecorded { recorded.append(bad) }
    }
}
