import Foundation
import MimirCore
import MimirKubernetes
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

    /// `workerToken` is the credential local workers present to the API (Kubernetes workers get
    /// theirs from a Secret instead).
    static func backend(
        _ settings: ScalerSettings, declarations: ImageDeclarations, workerExecutable: String,
        configuration: OrchestratorConfiguration, workerToken: String?
    ) throws(StartupError) -> (any WorkerBackend)? {
        switch settings.backend {
        case .none:
            return nil
        case .kubernetes:
            return try kubernetes(settings.kubernetes)
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
            if let workerToken { environment["MIMIR_WORKER_TOKEN"] = workerToken }
            // Worker settings given to the orchestrator reach the workers it starts.
            for name in [
                "PATH", "HOME", "LANG", "TMPDIR", "MIMIR_LOG_LEVEL", "LEASE_SECONDS", "MIMIR_WORKER_ISOLATION",
            ] {
                if let value = Environment.value(name) { environment[name] = value }
            }
            return LocalProcessBackend(
                settings: .init(
                    workerExecutable: workerExecutable, pluginDirectories: directories,
                    logDirectory: settings.localLogDirectory, environment: environment),
                clock: { SystemQueueClock().nowMilliseconds() })
        }
    }

    private static func kubernetes(_ settings: ScalerSettings.KubernetesSettings) throws(StartupError)
        -> any WorkerBackend
    {
        let configuration: KubernetesConfiguration
        do {
            if !settings.server.isEmpty {
                configuration = .explicit(
                    server: settings.server, tokenFile: settings.tokenFile, caFile: settings.caFile,
                    namespace: settings.namespace.isEmpty ? "default" : settings.namespace)
            } else {
                configuration = try .automatic(namespace: settings.namespace.isEmpty ? nil : settings.namespace)
            }
        } catch {
            throw StartupError(description: "WORKER_BACKEND=kubernetes: \(error)")
        }
        let secret = settings.redisSecret.split(separator: "/", maxSplits: 1).map(String.init)
        guard secret.count == 2, !secret[0].isEmpty, !secret[1].isEmpty else {
            throw StartupError(description: "KUBE_REDIS_SECRET must be NAME/KEY, got \"\(settings.redisSecret)\"")
        }
        var jobSettings = KubernetesJobSettings(
            orchestrator: settings.orchestratorName, redisSecretName: secret[0], redisSecretKey: secret[1],
            activeDeadlineSeconds: settings.activeDeadlineSeconds, ttlSecondsAfterFinished: settings.jobTTLSeconds,
            serviceAccountName: settings.serviceAccount.isEmpty ? nil : settings.serviceAccount,
            imagePullSecrets: settings.imagePullSecrets)
        jobSettings.dataVolumeClaim = settings.dataVolumeClaim.isEmpty ? nil : settings.dataVolumeClaim
        if !settings.workerTokenSecret.isEmpty {
            let parts = settings.workerTokenSecret.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw StartupError(
                    description: "KUBE_WORKER_TOKEN_SECRET must be NAME/KEY, got \"\(settings.workerTokenSecret)\"")
            }
            jobSettings.workerTokenSecret = .init(name: String(parts[0]), key: String(parts[1]))
        }
        jobSettings.imagePullPolicy = settings.imagePullPolicy.isEmpty ? nil : settings.imagePullPolicy
        jobSettings.nodeSelector = settings.nodeSelector
        jobSettings.tolerations = settings.tolerations
        return KubernetesBackend(client: KubernetesClient(configuration: configuration), settings: jobSettings)
    }
}
