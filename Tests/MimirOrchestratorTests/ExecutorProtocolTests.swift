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
