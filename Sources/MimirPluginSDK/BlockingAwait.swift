import Dispatch
import Synchronization

/// Runs async code to completion from `execute`, which is synchronous: the host calls executors
/// on threads of its own, so blocking one while the operation runs on the Swift concurrency pool
/// starves nobody. Never call it from async code (it would block a pool thread).
public func awaitBlocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    guard let result = outcome.withLock({ $0 }) else { throw ExecutorError.permanent("async operation vanished") }
    return try result.get()
}
