import Foundation
import MimirCore
import MimirQueue
import MimirScaling

/// Turns the configuration into a worker backend.
enum ScalingSetup {
    /// `WORKER_EXECUTABLE`, else the `mimir-worker` beside this program.
    static func workerExecutable(_ settings: ScalerSettings) -> String {
        if !settings.workerExecutable.isEmpty { return settings.workerExecutable }
        let program = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: program).deletingLastPathComponent().appendingPathComponent("mimir-worker").path
    }

    static func backend(
        _ settings: ScalerSettings, declarations: ImageDeclarations, workerExecutable: String,
        configuration: OrchestratorConfiguration
    ) -> (any WorkerBackend)? {
        switch settings.backend {
        case .none, .kubernetes:
            return nil
        case .local:
            var directories: [String: String] = [:]
            for declaration in declarations.declarations {
                if let directory = declaration.document["plugin_dir"]?.stringValue {
                    directories[declaration.image] = directory
                }
            }
            var environment: [String: String] = [
                "REDIS_URL": configuration.redisURL, "MIMIR_DATA_DIR": configuration.dataDirectory,
            ]
            for name in ["PATH", "HOME", "LANG", "TMPDIR", "MIMIR_LOG_LEVEL"] {
                if let value = Environment.value(name) { environment[name] = value }
            }
            return LocalProcessBackend(
                settings: .init(
                    workerExecutable: workerExecutable, pluginDirectories: directories,
                    logDirectory: settings.localLogDirectory, environment: environment),
                clock: { SystemQueueClock().nowMilliseconds() })
        }
    }
}
