import Foundation

/// Runs blocking work (waiting for a process, seconds of computation) on a thread of its own, so
/// that it never holds one of the few threads of Swift's cooperative pool, which every test in the
/// run shares (two on a two-core machine: one blocked test would stall half of them).
public enum OwnThread {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
