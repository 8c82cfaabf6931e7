import Synchronization

/// Wakes the scaler's loop before its interval is up. A signal given while nobody waits is kept
/// for the next wait (a submission that arrived during a pass may not have been seen by it), and
/// any number of signals before a wait count as one.
final class PassSignal: Sendable {
    private struct Waiter {
        /// Which wait this is: a cancelled wait ends only its own continuation, never the one of
        /// the wait that displaced it.
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var pending = false
        var waiter: Waiter?
        var waits: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Ends the current wait, or the next one at once.
    func signal() {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(returning: true)
    }

    /// Returns when signalled, after `timeout`, or when the task is cancelled, whichever comes
    /// first; `true` when it was signalled. One waiter at a time: a wait that begins while another
    /// is under way ends that one (returning `false`) rather than leaving it to hang.
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

    /// `true` once signalled, `false` once cancelled or displaced by another wait.
    private func signalled() async -> Bool {
        let id = state.withLock { state in
            state.waits += 1
            return state.waits
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // Cancellation is flagged before its handler runs, and both take the lock: checked
                // here, a cancellation whose handler found no waiter yet is not missed.
                let (immediate, displaced) = state.withLock { state -> (Bool?, Waiter?) in
                    if state.pending {
                        state.pending = false
                        return (true, nil)
                    }
                    if Task.isCancelled { return (false, nil) }
                    defer { state.waiter = Waiter(id: id, continuation: continuation) }
                    return (nil, state.waiter)
                }
                displaced?.continuation.resume(returning: false)
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter
            }
            waiter?.continuation.resume(returning: false)
        }
    }
}
