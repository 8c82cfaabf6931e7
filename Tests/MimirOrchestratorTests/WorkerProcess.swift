import Foundation
import MimirTestSupport
import Testing

/// A real `mimir-worker serve` process taking jobs from a harness's queue.
final class WorkerProcess: Sendable {
    let process: SpawnedProcess
    let id: String
    let logPath: String

    /// The test fixture plugins, built once per run by their script (it skips up-to-date files).
    static let fixtures: Result<String, any Error> = {
        let directory = BuildProducts.path("test-fixtures")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        return Result {
            let build = Process()
            build.executableURL = URL(fileURLWithPath: "/bin/bash")
            build.arguments = ["\(repository)/Tests/Fixtures/plugins/build-fixtures.sh", directory]
            try build.run()
            build.waitUntilExit()
            guard build.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
            // A plugin folder holding only the good fixture: executors fixture_echo and fixture_serial.
            let plugins = "\(directory)/worker-plugins"
            try? FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            let link = "\(plugins)/libfixture_good.so"
            if !FileManager.default.fileExists(atPath: link) {
                try? FileManager.default.createSymbolicLink(
                    atPath: link, withDestinationPath: "\(directory)/libfixture_good.so")
            }
            return plugins
        }
    }()

    static let jobTypes = ["--job-types", "fixture_echo,fixture_serial,ml_training"]

    /// A plugin folder holding the good fixture and the faulty one (fixture_segfault, fixture_abort,
    /// fixture_exit, fixture_hang, fixture_leak), and the job types an orchestrator must accept.
    static func faultyPlugins() throws -> String {
        let directory = BuildProducts.path("test-fixtures")
        _ = try fixtures.get()
        let plugins = "\(directory)/faulty-worker-plugins"
        try? FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        for name in ["good", "faulty"] where !FileManager.default.fileExists(atPath: "\(plugins)/libfixture_\(name).so")
        {
            try? FileManager.default.createSymbolicLink(
                atPath: "\(plugins)/libfixture_\(name).so", withDestinationPath: "\(directory)/libfixture_\(name).so")
        }
        return plugins
    }

    static let faultyJobTypes = [
        "--job-types", "fixture_echo,fixture_segfault,fixture_abort,fixture_exit,fixture_hang,fixture_leak",
    ]

    /// The worker's executor processes now (children of its pid).
    var executorProcesses: [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(process.pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    /// A plugin folder holding the shipped plugins named (PipelineExecution, MLTraining, ...).
    static func shippedPlugins(_ names: [String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plugins-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.createSymbolicLink(
                atPath: "\(folder)/lib\(name).so", withDestinationPath: BuildProducts.path("lib\(name).so"))
        }
        return folder
    }

    /// Waits until every worker named is listed by the orchestrator and serves something in its
    /// capability catalog: the registration is stored before the catalog is reloaded.
    static func waitUntilRegistered(_ ids: [String], _ api: APIHarness) async throws {
        for _ in 0..<2400 {
            let workers = try await api.call(.get, "/api/workers").json?["workers"]?.arrayValue ?? []
            let catalog = try await api.call(.get, "/api/capabilities").json?["job_types"]?.objectValue ?? [:]
            let serving = catalog.values.flatMap { $0["executors"]?.arrayValue ?? [] }
                .flatMap { $0["workers"]?.arrayValue ?? [] }.compactMap(\.stringValue)
            if Set(ids).isSubset(of: Set(workers.compactMap { $0["id"]?.stringValue })),
                Set(ids).isSubset(of: Set(serving))
            {
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("workers \(ids) did not register within a minute")
    }

    /// Leases last 30 s unless a test asks otherwise: with the 2 s they once had, a worker that a
    /// loaded machine held back for as long lost a running job to the reaper and ran it twice.
    init(
        for api: APIHarness, id: String, leaseSeconds: Int = 30, slots: Int = 2, register: Bool = false,
        image: String = "fixture-image", pluginDirectory: String? = nil, executable: String? = nil,
        extra: [String] = []
    ) throws {
        let plugins = try pluginDirectory ?? Self.fixtures.get()
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString).log").path
        self.id = id
        process = try SpawnedProcess(
            executable: executable ?? BuildProducts.path("mimir-worker"),
            arguments: [
                "serve", "--plugin-dir", plugins, "--redis-url", api.redisURL, "--redis-namespace",
                api.queue.configuration.namespace, "--worker-id", id, "--lease-seconds", String(leaseSeconds),
                "--slots", String(slots), "--log-level", "info",
            ] + (register ? ["--orchestrator-url", api.orchestrator.baseURL, "--image", image] : []) + extra,
            outputPath: logPath, environment: ["MIMIR_WORKER_TOKEN": TestTokens.worker])
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        process.signal(SIGKILL)
    }
}
