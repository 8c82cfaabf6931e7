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
        try process.requests.write(ExecutorMessage.run(jobType: "fixture_echo", request: request).json)
        for (jobID, attempt) in cancels {
            try process.cancels.write(ExecutorMessage.cancel(jobID: jobID, attempt: attempt).json)
        }
        while true {
            guard case .frame(let json) = try process.events.read(timeout: .seconds(30)) else {
                return "no outcome"
            }
            if case .outcome(let outcome) = ExecutorMessage(json) { return outcome.status.rawValue }
        }
    }

    @Test("every message reads back from its frame's text as the same message")
    func framesReadBack() throws {
        let request = ExecutionRequest(
            jobID: "job-\"1\"", projectID: "proj", parameters: ["b": 2, "a": ["z": true, "y": .null]],
            document: ["task_spec": ["parameters": ["a": 1]], "id": "job-1"], attempt: 3, timeout: .milliseconds(1500))
        let outcome = ExecutionOutcome(
            status: .permanentFailure, message: "broke\nbadly", result: ["rows": 3, "names": ["x", "é"]],
            artifacts: [Artifact(uri: "s3://b/k", mediaType: "text/csv"), Artifact(uri: "file:///x", mediaType: nil)],
            droppedLogLines: 2, duration: .milliseconds(42))
        let messages: [ExecutorMessage] = [
            .ready(pid: 7, jobTypes: ["a", "b"]), .run(jobType: "fixture_echo", request: request),
            .run(jobType: "t", request: ExecutionRequest(jobID: "j")), .cancel(jobID: "j", attempt: 2),
            .log(.warning, "careful"), .progress(0.5, nil), .outcome(outcome),
            .outcome(ExecutionOutcome(status: .succeeded)),
        ]
        for message in messages {
            let read = try JSONValue.parse(message.json.jsonBytes())
            #expect(ExecutorMessage(read)?.json == message.json, "\(read)")
        }
    }

    @Test("a cancellation stops only the job and attempt it names, so a late one cannot stop the next job")
    func cancellationsNameTheirJob() async throws {
        let plugins = try WorkerProcess.fixtures.get()
        let statuses = try await OwnThread.run { () throws -> [String] in
            let process = try ExecutorProcess(
                executable: BuildProducts.path("mimir-worker"),
                arguments: ["executor-process", "--plugin-dir", plugins, "--log-level", "error"])
            defer { process.stop() }
            guard case .frame(let ready) = try process.events.read(timeout: .seconds(30)),
                case .ready = ExecutorMessage(ready)
            else { return ["not ready"] }
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
            try process.requests.write(ExecutorMessage.run(jobType: "fixture_echo", request: request).json)
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
