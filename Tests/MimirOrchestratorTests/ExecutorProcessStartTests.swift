import Foundation
import Logging
import MimirTestSupport
import Testing

@testable import MimirWorker

#if canImport(Glibc)
    import Glibc
#endif

/// A pool starting a child that is not an executor process of this build: it is refused with a
/// message that says what the child did, and killed. The children here are shell scripts writing
/// to the event pipe (fd 4) what another build, or a broken one, would.
@Suite("Executor processes that do not start as this build's")
struct ExecutorProcessStartTests {
    /// A pool of one process running `script` with `/bin/sh`.
    static func pool(_ script: String, startTimeout: Duration = .seconds(10)) -> ExecutorProcessPool {
        var logger = Logger(label: "start-test")
        logger.logLevel = .critical
        return ExecutorProcessPool(
            settings: ExecutorProcessSettings(
                executable: "/bin/sh", programName: "fake-executor", arguments: ["-c", script], processes: 1,
                startTimeout: startTimeout),
            logger: logger)
    }

    /// Why checking a process out of `pool` failed; records an issue if it did not.
    static func refusal(_ pool: ExecutorProcessPool) async throws -> String {
        defer { pool.shutdown() }
        return try await OwnThread.run { () -> String in
            do throws(ExecutorProcessPool.Failure) {
                let process = try pool.checkOut()
                process.kill()
                return "started process \(process.pid)"
            } catch {
                return error.description
            }
        }
    }

    /// The pid a refusal names ("executor process <pid> ..."), gone once the refusal is out.
    static func expectGone(_ refusal: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let words = refusal.split(separator: " ")
        let pid = try #require(
            words.firstIndex(of: "process").flatMap { Int32(words[words.index(after: $0)]) }, "\(refusal)",
            sourceLocation: sourceLocation)
        // Killed and reaped: no process (not even a zombie) has the pid any more.
        let deadline = ContinuousClock.now + .seconds(5)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "process \(pid) still there", sourceLocation: sourceLocation)
    }

    @Test("a child whose ready names another protocol version is refused by name and killed")
    func otherProtocolVersion() async throws {
        // A frame of 5 bytes: ready (1), then protocol version 2, little-endian.
        let refusal = try await Self.refusal(Self.pool(#"printf '\000\000\000\005\001\002\000\000\000' >&4; sleep 30"#))
        #expect(
            refusal.contains(
                "(fake-executor) speaks executor protocol 2, this worker \(ExecutorMessage.protocolVersion)")
                && refusal.contains("another build of mimir-worker"), "\(refusal)")
        try await Self.expectGone(refusal)
    }

    @Test("a child of a build that spoke JSON is refused, the message saying so")
    func jsonSpeakingChild() async throws {
        // What builds before protocol 3 wrote first: a length, then a JSON object.
        let refusal = try await Self.refusal(
            Self.pool(#"printf '\000\000\000\011{"ready":1}' >&4; sleep 30"#))
        #expect(
            refusal.contains("broke the executor protocol before it was ready")
                && refusal.contains("a JSON message: a build before executor protocol 3"), "\(refusal)")
        try await Self.expectGone(refusal)
    }

    @Test("a child that exits before it is ready, or says nothing, is refused saying which")
    func exitOrSilence() async throws {
        let exited = try await Self.refusal(Self.pool("exit 3"))
        #expect(exited.contains("exited with status 3") && exited.contains("before it was ready"), "\(exited)")
        let silent = try await Self.refusal(Self.pool("sleep 30", startTimeout: .milliseconds(300)))
        #expect(silent.contains("did not become ready within"), "\(silent)")
        try await Self.expectGone(silent)
    }
}
