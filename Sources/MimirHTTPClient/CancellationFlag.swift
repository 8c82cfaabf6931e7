import Synchronization

/// Set by an async caller's cancellation handler, read by the transfer's progress callback on the
/// thread running curl.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Also asked, for callers with a cancellation signal of their own (an executor's is-cancelled).
    private let poll: (@Sendable () -> Bool)?

    init(poll: (@Sendable () -> Bool)? = nil) {
        self.poll = poll
    }

    func cancel() {
        flag.store(true, ordering: .releasing)
    }

    var isCancelled: Bool {
        flag.load(ordering: .acquiring) || poll?() == true
    }
}
