import Synchronization

/// Wakes the scaler's loop before its interval is up. A signal given while nobody waits is kept
/// for the next wait (a submission that arrived during a pass may not have been seen by it), and
/// any number of signals before a wait count as one.
final class PassSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    /// Ends the current wait, or the next one at once.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Returns when signalled, after `timeout`, or when the task is cancelled, whichever comes
    /// first; `true` when it was signalled. One waiter at a time.
    func wait(upTo timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            group.addTask { await self.signalled() }
            var signalled = await group.next() ?? false
            group.cancelAll()
            // A signal that came as the time ran out was taken all the same.
            for await result in group { signalled = signalled || result }
            return signalled
        }
    }

    /// `true` once signalled, `false` once cancelled.
    private func signalled() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // Cancellation is flagged before its handler runs, and both take the lock: checked
                // here, a cancellation whose handler found no waiter yet is not missed.
                let immediate = state.withLock { state -> Bool? in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: false)
        }
    }
}
