import Foundation
import MimirCore
import MimirPluginHost
import MimirTestSupport
import Testing

@testable import MimirWorker

/// The worker ↔ executor-process protocol, spoken directly to a real `mimir-worker
/// executor-process` loading the fixture plugins.
@Suite("Executor process protocol")
struct ExecutorProtocolTests {
    /// Runs `echo` for `sleepMS` as job `id`, sending `cancels` on the cancel pipe once it has
    /// started, and returns the outcome's status.
    static func run(
        _ process: ExecutorProcess, id: String, attempt: UInt32 = 1, sleepMS: Int, cancels: [(String, UInt32)]
    ) throws -> String {
        let request = ExecutionRequest(
            jobID: id, projectID: "", parameters: ["sleep_ms": .integer(Int64(sleepMS))], document: [:],
            attempt: attempt, timeout: nil)
        try process.requests.send(.run(jobType: "fixture_echo", input: request.input))
        for (jobID, attempt) in cancels {
            try process.cancels.send(.cancel(jobID: jobID, attempt: attempt))
        }
        while true {
            guard case .message(let message) = try process.events.read(timeout: .seconds(30)) else {
                return "no outcome"
            }
            if case .outcome(let outcome) = message { return outcome.status.rawValue }
        }
    }

    @Test("every message reads back from its frame as the same message, frames written in a burst included")
    func framesReadBack() throws {
        let request = ExecutionRequest(
            jobID: "job-\"1\"", projectID: "proj", parameters: ["b": 2, "a": ["z": true, "y": .null]],
            document: ["task_spec": ["parameters": ["a": 1]], "id": "job-1"], attempt: 3, timeout: .milliseconds(1500))
        let outcome = ExecutionOutcome(
            status: .permanentFailure, message: "broke\nbadly", result: ["rows": 3, "names": ["x", "é"]],
            artifacts: [Artifact(uri: "s3://b/k", mediaType: "text/csv"), Artifact(uri: "file:///x", mediaType: nil)],
            droppedLogLines: 2, duration: .milliseconds(42))
        // Larger than one read's buffer: it arrives in pieces, between small frames.
        let large = ExecutionOutcome(
            status: .succeeded, result: .array((0..<20_000).map { .string("row \($0)") }), duration: .seconds(3))
        let messages: [ExecutorMessage] = [
            .ready(protocolVersion: ExecutorMessage.protocolVersion, pid: 7, jobTypes: ["a", "b"]),
            .run(jobType: "fixture_echo", input: request.input),
            .run(jobType: "t", input: ExecutionRequest(jobID: "j").input), .cancel(jobID: "j", attempt: 2),
            .log(.warning, "careful ✓"), .progress(0.5, nil), .progress(1, "done"), .outcome(outcome),
            .outcome(large), .outcome(ExecutionOutcome(status: .succeeded)), .withdraw(jobID: "j", attempt: 1),
            .withdrawal(jobID: "j", attempt: 1, withdrawn: true), .withdrawal(jobID: "k", attempt: 4, withdrawn: false),
        ]
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        let (reader, writer) = (FrameChannel(descriptor: ends[0]), FrameChannel(descriptor: ends[1]))
        defer {
            close(ends[0])
            close(ends[1])
        }
        // Written from another thread while this one reads: the large frame fills the pipe.
        let sent = Thread {
            for message in messages { try? writer.send(message) }
        }
        sent.start()
        for message in messages {
            guard case .message(let read) = try reader.read(timeout: .seconds(30)) else {
                Issue.record("no frame for \(message)")
                return
            }
            #expect(read == message)
        }
    }

    @Test("a frame that is not a whole message of this protocol is refused, naming the message and field")
    func malformedFramesRefused() throws {
        func read(_ body: [UInt8]) -> String {
            let length = UInt32(body.count)
            return readFrame(
                [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
                    + body)
        }
        func readFrame(_ frame: [UInt8]) -> String {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { return "no pipe" }
            defer {
                close(ends[0])
                close(ends[1])
            }
            _ = frame.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
            do {
                return "read \(try FrameChannel(descriptor: ends[0]).read(timeout: .seconds(5)))"
            } catch {
                return error.description
            }
        }
        let cancel = ExecutorMessage.cancel(jobID: "job-1", attempt: 2).frame.dropFirst(4)
        #expect(
            read(Array(cancel.dropLast(2)))
                == "cancel message ends inside its attempt (12 bytes, 4 more needed at byte 10)")
        #expect(read(Array(cancel) + [0]) == "cancel message has 1 bytes after its last field")
        #expect(
            read(Array("{\"ready\":{}}".utf8))
                == "unknown message kind 123 (a JSON message: a build before executor protocol 3)")
        #expect(read([0x7F]) == "unknown message kind 127")
        let log = ExecutorMessage.log(.info, "x").frame.dropFirst(4)
        #expect(
            read(Array(log).map { $0 == UInt8(ascii: "i") ? UInt8(ascii: "j") : $0 })
                == "log message: unknown level \"jnfo\"")
        let outcome = Array(
            ExecutorMessage.outcome(ExecutionOutcome(status: .succeeded, result: ["a": 1])).frame.dropFirst(4))
        let broken = outcome.map { $0 == UInt8(ascii: "}") ? UInt8(ascii: "]") : $0 }
        #expect(read(broken).hasPrefix("outcome message: the result is not JSON"))
        #expect(read([]) == "unknown message kind (empty frame)")
        // A confused peer's length is refused before anything is allocated for it.
        #expect(readFrame([0x12, 0, 0, 0]) == "frame of 301989888 bytes exceeds the 268435456-byte limit")
    }

    @Test("a cancellation stops only the job and attempt it names, so a late one cannot stop the next job")
    func cancellationsNameTheirJob() async throws {
        let plugins = try WorkerProcess.fixtures.get()
        let statuses = try await OwnThread.run { () throws -> [String] in
            let process = try ExecutorProcess(
                executable: BuildProducts.path("mimir-worker"),
                arguments: ["executor-process", "--plugin-dir", plugins, "--log-level", "error"])
            defer { process.stop() }
            guard case .message(.ready) = try process.events.read(timeout: .seconds(30)) else { return ["not ready"] }
            return [
                // Late cancellations for an earlier job, and for another attempt of this one.
                try Self.run(process, id: "job-b", sleepMS: 300, cancels: [("job-a", 1), ("job-b", 2)]),
                try Self.run(process, id: "job-c", sleepMS: 9_000, cancels: [("job-c", 1)]),
                try Self.run(process, id: "job-d", sleepMS: 0, cancels: []),
            ]
        }
        #expect(statuses == ["succeeded", "cancelled", "succeeded"])
    }

    @Test("mid-job, the executor process exits when its worker's pipes close")
    func exitsWhenTheWorkerGoesMidJob() async throws {
        let plugins = try WorkerProcess.fixtures.get()
        let pid = try await OwnThread.run { () throws -> Int32 in
            let process = try ExecutorProcess(
                executable: BuildProducts.path("mimir-worker"),
                arguments: ["executor-process", "--plugin-dir", plugins, "--log-level", "error"])
            _ = try process.events.read(timeout: .seconds(30))
            let request = ExecutionRequest(
                jobID: "job-long", projectID: "", parameters: ["sleep_ms": 10_000], document: [:], attempt: 1,
                timeout: nil)
            try process.requests.send(.run(jobType: "fixture_echo", input: request.input))
            // Dropping `process` on return closes the worker's ends of all three pipes, as its death would.
            return process.pid
        }
        var alive = true
        for _ in 0..<200 where alive {
            try await Task.sleep(for: .milliseconds(25))
            var status: Int32 = 0
            alive = waitpid(pid, &status, WNOHANG) == 0
        }
        #expect(!alive, "executor process \(pid) kept running its job after its worker's pipes closed")
    }
}
