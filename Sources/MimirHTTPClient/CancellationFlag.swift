import Synchronization

/// Set by an async caller's cancellation handler, read by the transfer's progress callback on the
/// thread running curl.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func cancel() {
        flag.store(true, ordering: .releasing)
    }

    var isCancelled: Bool {
        flag.load(ordering: .acquiring)
    }
}
