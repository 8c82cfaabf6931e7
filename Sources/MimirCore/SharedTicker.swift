import Synchronization

/// One periodic tick that any number of tasks wait for, instead of each arming a timer of its own.
///
/// A worker renews the lease of every running job twice a second. With a `Task.sleep` per job,
/// every job — most of which end long before their first renewal — armed a timer and cancelled
/// it, and each of those woke libdispatch's timer thread: a tenth of a busy worker's CPU time.
/// Waiting here costs a continuation in a table. A waiter's first tick comes within one
/// interval of when it starts waiting, not exactly one interval later.
public final class SharedTicker: Sendable {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextID: UInt64 = 0
        var stopped = false
    }

    public let interval: Duration
    private let state = Mutex(State())

    public init(interval: Duration) {
        self.interval = interval
    }

    /// Ticks every `interval` until the calling task is cancelled, then stops.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            release(with: true)
        }
        stop()
    }

    /// Waits for the next tick: `true` when it came, `false` when the waiting task was cancelled
    /// or the ticker has stopped (at once, not at the next tick).
    public func next() async -> Bool {
        let id = state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Checked under the lock the cancellation handler takes too: a task cancelled
                // before its continuation is stored is answered here, one cancelled after is
                // answered by the handler, which then finds it.
                let waits = state.withLock { state in
                    guard !state.stopped, !Task.isCancelled else { return false }
                    state.waiters[id] = continuation
                    return true
                }
                if !waits { continuation.resume(returning: false) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }

    /// Answers every waiter with `false`, now and from now on.
    public func stop() {
        state.withLock { $0.stopped = true }
        release(with: false)
    }

    /// Tasks waiting for the next tick.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    private func release(with ticked: Bool) {
        let waiters = state.withLock { state in
            defer { state.waiters = [:] }
            return state.waiters
        }
        for continuation in waiters.values { continuation.resume(returning: ticked) }
    }
}
