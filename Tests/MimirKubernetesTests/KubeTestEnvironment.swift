import Foundation
import MimirCore
import MimirHTTPClient
import MimirKubernetes
import MimirScaling
import MimirTestSupport
import Testing

extension KubeTestEnvironment {
    /// The orchestrator's own identity: the Role in k8s/base/orchestrator-rbac.yaml, nothing more.
    var orchestratorClient: KubernetesClient {
        KubernetesClient(
            configuration: .explicit(
                server: server, tokenFile: orchestratorTokenFile, caFile: caFile, namespace: namespace))
    }

    /// Cluster admin, to look at what the orchestrator did from outside.
    var adminClient: KubernetesClient {
        KubernetesClient(
            configuration: .explicit(server: server, tokenFile: adminTokenFile, caFile: caFile, namespace: namespace))
    }

    /// A backend whose Jobs no other test sees (its own orchestrator label).
    func backend(_ test: String, settings: KubernetesJobSettings = .init()) -> KubernetesBackend {
        var settings = settings
        settings.orchestrator = "test-\(test)-\(KubernetesNames.randomSuffix(length: 5))"
        return KubernetesBackend(client: orchestratorClient, settings: settings)
    }
}

/// A launch as the scaler makes them.
func workerLaunch(
    _ workerID: String, image: String = "registry.example.com/mimir/worker:1.0", idleSeconds: Int = 3600,
    extra: [String: String] = [:], profile: WorkerImageProfile? = nil
) -> WorkerLaunch {
    var environment = [
        "MIMIR_WORKER_ID": workerID, "MIMIR_WORKER_IMAGE": image, "MIMIR_WORKER_SLOTS": "1",
        "MIMIR_ORCHESTRATOR_URL": "http://mimir-orchestrator:8080", "REDIS_NAMESPACE": "mimir",
        "MIMIR_WORKER_IDLE_TIMEOUT": String(idleSeconds),
    ]
    environment.merge(extra) { _, new in new }
    return WorkerLaunch(
        workerID: workerID, profile: profile ?? WorkerImageProfile(image: image), environment: environment)
}

/// Drains events until `match` finds one, for at most `seconds`; all drained events are returned.
func drainUntil(
    _ backend: KubernetesBackend, seconds: Double = 60, _ match: (BackendEvent) -> Bool
) async throws -> [BackendEvent] {
    var seen: [BackendEvent] = []
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(Int(seconds * 1000))
    while clock.now < deadline {
        seen += await backend.drainEvents()
        if seen.contains(where: match) { return seen }
        try await Task.sleep(for: .milliseconds(250))
    }
    let lastError = await backend.lastDrainError.map { " (last drain error: \($0))" } ?? ""
    Issue.record("no matching event within \(seconds) s; events: \(seen)\(lastError)")
    return seen
}

/// Jobs left by a test are deleted so the shared namespace stays small.
func deleteJobs(of backend: KubernetesBackend, using client: KubernetesClient) async {
    let selector = WorkerLabels.selector(orchestrator: backend.settings.orchestrator)
    guard let jobs = try? await client.listJobs(labelSelector: selector) else { return }
    for job in jobs {
        if let name = job["metadata"]?["name"]?.stringValue { try? await client.deleteJob(named: name) }
    }
}
