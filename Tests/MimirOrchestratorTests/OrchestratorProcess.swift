import Foundation
import MimirTestSupport

/// A real `mimir-orchestrator` process on a free port, with its output in a file.
final class OrchestratorProcess: Sendable {
    let process: SpawnedProcess
    let port: Int
    let logPath: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    static func start(
        redisURL: String, namespace: String, arguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> OrchestratorProcess {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "orchestrator-\(UUID().uuidString).log"
        ).path
        let process = try SpawnedProcess(
            executable: BuildProducts.path("mimir-orchestrator"),
            arguments: [
                "serve", "--host", "127.0.0.1", "--port", "0", "--redis-url", redisURL, "--redis-namespace", namespace,
                "--log-level", "info",
            ] + (arguments.contains("--auth") ? [] : ["--api-tokens-file", TestTokens.file]) + arguments,
            outputPath: logPath, environment: ["MIMIR_WORKER_TOKEN": TestTokens.worker].merging(environment) { $1 })
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: {
                $0.hasPrefix("mimir-orchestrator listening on port ")
            }),
                let port = Int(line.split(separator: " ").last ?? "")
            {
                return OrchestratorProcess(process: process, port: port, logPath: logPath)
            }
            guard process.isRunning else {
                throw StartFailure(
                    description:
                        "mimir-orchestrator exited at start (code \(process.exitCode.map(String.init) ?? "?")):\n\(log)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.signal(SIGKILL)
        throw StartFailure(description: "mimir-orchestrator did not start listening within 120 s")
    }

    private init(process: SpawnedProcess, port: Int, logPath: String) {
        self.process = process
        self.port = port
        self.logPath = logPath
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits; returns the exit code (nil if a signal ended it or it had to be killed).
    func stop(within grace: Duration = .seconds(10)) async -> Int32? {
        process.signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            process.signal(SIGKILL)
            await process.waitForExit()
            return nil
        }
        return process.exitCode
    }

    deinit {
        process.signal(SIGKILL)
    }
}
