/// The caller's hooks into a running training job: where to report progress and how to learn that
/// the job should stop. Algorithms call `step` once per natural unit of work (an optimizer
/// iteration, a tree, a k-means iteration) and never between, so a cancelled job stops within one
/// unit and leaves nothing half-written.
public struct TrainingControl: Sendable {
    public typealias Progress = @Sendable (_ fraction: Double, _ message: String) -> Void
    public typealias Cancellation = @Sendable () -> Bool

    private let report: Progress
    private let cancelled: Cancellation
    /// The slice of the whole job's progress this control covers, so nested steps (a fold, the
    /// final fit) report overall fractions without knowing where they sit.
    private let start: Double
    private let span: Double
    private let label: String

    public init(progress: @escaping Progress = { _, _ in }, isCancelled: @escaping Cancellation = { false }) {
        self.report = progress
        self.cancelled = isCancelled
        self.start = 0
        self.span = 1
        self.label = ""
    }

    private init(
        report: @escaping Progress, cancelled: @escaping Cancellation, start: Double, span: Double, label: String
    ) {
        self.report = report
        self.cancelled = cancelled
        self.start = start
        self.span = span
        self.label = label
    }

    /// A control for the part `[from, to)` of this one's range, prefixing messages with `label`.
    func slice(from: Double, to: Double, label: String) -> TrainingControl {
        TrainingControl(
            report: report, cancelled: cancelled, start: start + span * from, span: span * (to - from),
            label: label.isEmpty ? self.label : (self.label.isEmpty ? label : "\(self.label), \(label)"))
    }

    /// Reports `fraction` of this slice done, then throws if the caller asked to stop.
    func step(_ fraction: Double, _ message: String) throws(MLError) {
        report(min(1, max(0, start + span * fraction)), label.isEmpty ? message : "\(label): \(message)")
        try checkCancelled()
    }

    func checkCancelled() throws(MLError) {
        if cancelled() { throw .cancelled("training stopped at the caller's request; no model was saved") }
    }
}
