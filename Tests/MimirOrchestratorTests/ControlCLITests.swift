import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// The real `mimirctl` binary against a real orchestrator and worker.
@Suite("mimirctl")
struct ControlCLITests {
    /// Runs mimirctl on a thread of its own (waiting for a process must not block the
    /// cooperative pool other suites share); returns its exit code, standard output and error.
    func mimirctl(_ api: APIHarness, _ arguments: [String]) async throws -> (Int32, String, String) {
        let url = api.orchestrator.baseURL
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try Self.run(arguments + ["--url", url]) }) }.start()
        }
    }

    static func run(_ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildProducts.path("mimirctl"))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["MIMIR_TOKEN": TestTokens.admin]) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test("submit, watch, get, logs, list, workers and capabilities; errors exit 1 with the API's reason")
    func commands() async throws {
        let api = try await APIHarness.start(WorkerProcess.jobTypes)
        defer { Task { await api.stop() } }
        let worker = try WorkerProcess(for: api, id: "w-ctl", register: true)
        let (submitted, idText, submitError) = try await mimirctl(
            api, ["submit", "--type", "fixture_echo", "--param", "message=hi", "--param", "progress_steps=2"])
        #expect(submitted == 0, "\(submitError)")
        let id = idText.trimmingCharacters(in: .whitespacesAndNewlines)
        let (watched, _, watchError) = try await mimirctl(api, ["watch", id])
        #expect(watched == 0, "\(watchError)\n\(worker.log)")
        let (_, job, _) = try await mimirctl(api, ["get", id])
        #expect(try JSONValue.parse(job)["result"]?["echo"] == "hi")
        let (_, logs, _) = try await mimirctl(api, ["logs", id])
        #expect(logs.contains("info echo: hi"))
        let (_, list, _) = try await mimirctl(api, ["list", "--status", "succeeded"])
        #expect(list.contains(id) && list.contains("succeeded"))
        var workers = ""
        for _ in 0..<100 where !workers.contains("w-ctl") {
            try await Task.sleep(for: .milliseconds(50))
            workers = try await mimirctl(api, ["workers"]).1
        }
        #expect(workers.contains("fixture-image") && workers.contains("fixture_echo,fixture_serial"))
        var capabilities = ""
        for _ in 0..<100 where !capabilities.contains("1.2.3") {
            try await Task.sleep(for: .milliseconds(50))
            capabilities = try await mimirctl(api, ["capabilities"]).1
        }
        #expect(capabilities.contains("1.2.3"))

        let (failed, _, reason) = try await mimirctl(
            api, ["submit", "--type", "fixture_echo", "--param", "sleep_ms=-1"])
        #expect(failed == 1)
        #expect(reason.contains("422") && reason.contains("task_spec.parameters/sleep_ms"), "\(reason)")
        let (missing, _, notFound) = try await mimirctl(api, ["get", "no-such-job"])
        #expect(missing == 1 && notFound.contains("404"))
        let (failing, _, failure) = try await mimirctl(
            api, ["submit", "--type", "fixture_echo", "--param", "fail=\"permanent\""])
        #expect(failing == 0, "\(failure)")

        // A file holding an array is one batch: every id, in order; the flags apply to each job.
        let batchFile = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString).json")
        try Data(#"[{"task_spec": {"parameters": {"message": "one"}}}, {"priority": 9}]"#.utf8).write(to: batchFile)
        defer { try? FileManager.default.removeItem(at: batchFile) }
        let (batched, batchIDs, batchError) = try await mimirctl(
            api, ["submit", "--file", batchFile.path, "--type", "fixture_echo", "--project", "cli-batch"])
        #expect(batched == 0, "\(batchError)")
        let ids = batchIDs.split(separator: "\n").map(String.init)
        #expect(ids.count == 2, "\(batchIDs)")
        for (id, priority) in zip(ids, [5, 9]) {
            let job = try await api.call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json
            #expect(
                job?["project_id"] == "cli-batch" && job?["priority"] == .integer(Int64(priority)),
                "\(String(describing: job))")
        }
        try Data(#"[{"type": "fixture_echo"}, {"type": "fixture_echo", "priority": 12}]"#.utf8).write(to: batchFile)
        let (refused, _, refusal) = try await mimirctl(api, ["submit", "--file", batchFile.path])
        #expect(refused == 1 && refusal.contains("jobs[1].priority"), "\(refusal)")
    }
}
