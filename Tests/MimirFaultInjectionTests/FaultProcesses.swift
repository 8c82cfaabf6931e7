import Foundation
import MimirTestSupport
import Synchronization

/// The real programs a scenario runs: `mimir-orchestrator` (restartable on the same port, as a
/// supervisor would restart it) and `mimir-worker serve` processes, each logging to a file.
final class Orchestrator: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let redisURL: String
    let namespace: String
    let arguments: [String]
    let logPath: String
    private let current = Mutex<(process: SpawnedProcess, port: Int)?>(nil)

    init(redisURL: String, namespace: String, arguments: [String]) {
        self.redisURL = redisURL
        self.namespace = namespace
        self.arguments = arguments
        logPath = FaultFiles.scratch("orchestrator.log")
    }

    var port: Int { current.withLock { $0?.port ?? 0 } }
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pid: pid_t? { current.withLock { $0?.process.pid } }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Starts the orchestrator (on its previous port after a first start) and waits until it listens.
    func start() async throws {
        let previous = port
        let startedAt = log.utf8.count
        let process = try SpawnedProcess(
            executable: BuildProducts.path("mimir-orchestrator"),
            arguments: [
                "serve", "--host", "127.0.0.1", "--port", String(previous), "--redis-url", redisURL,
                "--redis-namespace", namespace, "--log-level", "info", "--api-tokens-file", TestTokens.file,
            ] + arguments,
            outputPath: logPath, environment: ["MIMIR_WORKER_TOKEN": TestTokens.worker])
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let fresh = String(decoding: Array(log.utf8.dropFirst(startedAt)), as: UTF8.self)
            if let line = fresh.split(separator: "\n").first(where: {
                $0.hasPrefix("mimir-orchestrator listening on port ")
            }),
                let port = Int(line.split(separator: " ").last ?? "")
            {
                current.withLock { $0 = (process, port) }
                return
            }
            guard process.isRunning else {
                throw Failure(description: "mimir-orchestrator exited at start:\n\(fresh)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.signal(SIGKILL)
        throw Failure(description: "mimir-orchestrator did not listen within 30 s")
    }

    func signal(_ number: Int32) {
        current.withLock { $0?.process.signal(number) }
    }

    /// kill -9, and waits until the process is gone.
    func kill() async {
        guard let process = current.withLock({ $0?.process }) else { return }
        process.signal(SIGKILL)
        await process.waitForExit()
    }

    /// SIGTERM and a wait; SIGKILL if it takes longer than `grace`.
    func stop(grace: Duration = .seconds(40)) async {
        guard let process = current.withLock({ $0?.process }) else { return }
        process.signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        process.signal(SIGKILL)
        await process.waitForExit()
    }
}

/// One `mimir-worker serve` taking fixture jobs straight from the queue.
final class Worker: Sendable {
    let id: String
    let process: SpawnedProcess
    let logPath: String

    init(
        id: String, redisURL: String, namespace: String, plugins: String, slots: Int, leaseSeconds: Int,
        orchestratorURL: String? = nil, extra: [String] = []
    ) throws {
        self.id = id
        logPath = FaultFiles.scratch("worker-\(id).log")
        process = try SpawnedProcess(
            executable: BuildProducts.path("mimir-worker"),
            arguments: [
                "serve", "--plugin-dir", plugins, "--redis-url", redisURL, "--redis-namespace", namespace,
                "--worker-id", id, "--slots", String(slots), "--lease-seconds", String(leaseSeconds),
                "--log-level", "info",
            ] + (orchestratorURL.map { ["--orchestrator-url", $0, "--image", "fault-image"] } ?? []) + extra,
            outputPath: logPath, environment: ["MIMIR_WORKER_TOKEN": TestTokens.worker])
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        process.signal(SIGKILL)
    }
}

/// Where a scenario's files go, and the fixture plugin folder.
enum FaultFiles {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fault-\(UUID().uuidString.prefix(8))-\(name)")
            .path
    }

    /// A folder holding only the good C fixture plugin (executors fixture_echo and fixture_serial),
    /// built by the fixtures' script, which skips an up-to-date library.
    static let plugins: Result<String, any Error> = Result {
        let directory = BuildProducts.path("test-fixtures")
        let build = try SpawnedProcess(
            executable: "/bin/bash", arguments: ["\(repository)/Tests/Fixtures/plugins/build-fixtures.sh", directory],
            outputPath: scratch("fixtures.log"))
        while build.isRunning { usleep(20_000) }
        guard build.exitCode == 0 else { throw Orchestrator.Failure(description: "build-fixtures.sh failed") }
        let plugins = "\(directory)/fault-plugins"
        try? FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        let link = "\(plugins)/libfixture_good.so"
        if !FileManager.default.fileExists(atPath: link) {
            try? FileManager.default.createSymbolicLink(
                atPath: link, withDestinationPath: "\(directory)/libfixture_good.so")
        }
        return plugins
    }
}

/// Processes by parent pid, from /proc, to find the workers an orchestrator started.
enum ProcessTable {
    static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { parentPID(of: $0) == parent }
    }

    /// The parent of a live process; nil once it is gone (or a zombie waiting to be reaped).
    static func parentPID(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z", fields[0] != "X" else { return nil }
        return pid_t(fields[1])
    }

    static func isAlive(_ pid: pid_t) -> Bool { parentPID(of: pid) != nil }
}
