import Synchronization

/// Coalesces commands sent at the same time into pipelines: every caller's command joins a
/// waiting list, and at most `lanes` pipelines are in flight; each, when it is sent, carries every
/// command that arrived meanwhile. Under load that turns N round trips — each a hop to a pool
/// thread, a write and a read — into one; alone, a command goes out at once, as its own pipeline.
///
/// Only for commands that keep no session state and may share a connection with others in any
/// order: a pipeline is not a transaction. The queue's function calls (`FCALL`) are such.
final class CommandBatcher: Sendable {
    typealias Send = @Sendable ([[String]]) async throws(RedisError) -> [RedisReply]

    private struct Waiting {
        let command: [String]
        let continuation: CheckedContinuation<Result<RedisReply, RedisError>, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var lanesInUse = 0
    }

    private let state = Mutex(State())
    private let lanes: Int
    /// A pipeline carries at most this many commands; the rest wait for the next one.
    private let largestBatch: Int
    private let send: Send

    init(lanes: Int, largestBatch: Int = 128, send: @escaping Send) {
        self.lanes = max(1, lanes)
        self.largestBatch = max(1, largestBatch)
        self.send = send
    }

    /// The command's reply, error replies included (as `.error`); a failure to send or read the
    /// pipeline fails every command in it.
    func execute(_ command: [String]) async -> Result<RedisReply, RedisError> {
        await withCheckedContinuation { continuation in
            let startLane = state.withLock { state in
                state.waiting.append(Waiting(command: command, continuation: continuation))
                guard state.lanesInUse < lanes else { return false }
                state.lanesInUse += 1
                return true
            }
            if startLane { Task { await self.drain() } }
        }
    }

    /// Sends what is waiting, again and again, until nothing is; then frees its lane.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let count = min(state.waiting.count, largestBatch)
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                if batch.isEmpty { state.lanesInUse -= 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let replies = try await send(batch.map(\.command))
                for (index, waiting) in batch.enumerated() {
                    // A pipeline answers every command or throws; a short answer would be a bug,
                    // and must still resume every waiting caller.
                    waiting.continuation.resume(
                        returning: index < replies.count
                            ? .success(replies[index])
                            : .failure(
                                RedisError(
                                    kind: .protocol, server: "", command: waiting.command.first,
                                    reason: "the pipeline answered \(replies.count) of \(batch.count) commands")))
                }
            } catch {
                for waiting in batch { waiting.continuation.resume(returning: .failure(error)) }
            }
        }
    }
}
