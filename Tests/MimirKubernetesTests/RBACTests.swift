import MimirCore
import MimirKubernetes
import MimirScaling
import MimirTestSupport
import Testing

/// The orchestrator's token is bound by k8s/base/orchestrator-rbac.yaml, exactly as deployed.
@Suite struct RBACTests {
    @Test func theOrchestratorMayDoItsWorkInItsNamespace() async throws {
        let environment = try KubeTestEnvironment.load()
        let client = environment.orchestratorClient
        _ = try await client.listJobs(labelSelector: "app.kubernetes.io/name=mimir-worker")
        _ = try await client.listPods(labelSelector: "app.kubernetes.io/name=mimir-worker")
        _ = try await client.listEvents()
        let backend = environment.backend("rbac")
        try await backend.launch(workerLaunch("w-rbac"))
        let jobs = try await client.listJobs(
            labelSelector: WorkerLabels.selector(orchestrator: backend.settings.orchestrator))
        let name = try #require(jobs.first?["metadata"]?["name"]?.stringValue)
        _ = try await client.getJob(named: name)
        try await client.deleteJob(named: name)
        await #expect(throws: KubernetesError.self) { try await client.getJob(named: name) }
    }

    @Test func outsideItsNamespaceTheErrorNamesVerbResourceAndNamespace() async throws {
        let environment = try KubeTestEnvironment.load()
        let client = environment.orchestratorClient
        let spec = try KubernetesJobSpec(launch: workerLaunch("w-elsewhere"), settings: KubernetesJobSettings())
        let error = try await #require(throws: KubernetesError.self) {
            try await client.createJob(spec.manifest, namespace: "default")
        }
        #expect(error.status == 403)
        #expect(error.reason == "Forbidden")
        #expect(error.isForbidden)
        #expect(error.method == .post)
        #expect(error.path == "/apis/batch/v1/namespaces/default/jobs")
        // The API server's words, verbatim.
        #expect(
            error.message
                == "jobs.batch is forbidden: User \"system:serviceaccount:\(environment.namespace):mimir-orchestrator\" "
                + "cannot create resource \"jobs\" in API group \"batch\" in the namespace \"default\"")
        let text = error.description
        #expect(
            text.hasPrefix("POST /apis/batch/v1/namespaces/default/jobs: HTTP 403 Forbidden: jobs.batch is forbidden"))
        #expect(text.contains("k8s/base/orchestrator-rbac.yaml"))

        let listError = try await #require(throws: KubernetesError.self) {
            try await client.listPods(labelSelector: "a=b", namespace: "kube-system")
        }
        #expect(listError.message.contains("cannot list resource \"pods\""))
        #expect(listError.message.contains("in the namespace \"kube-system\""))
    }

    @Test func verbsTheRoleDoesNotGrantAreForbiddenInItsNamespaceToo() async throws {
        let environment = try KubeTestEnvironment.load()
        let error = try await #require(throws: KubernetesError.self) {
            try await environment.orchestratorClient.send(
                .get, "/api/v1/namespaces/\(environment.namespace)/secrets/mimir-redis")
        }
        #expect(error.status == 403)
        #expect(error.message.contains("cannot get resource \"secrets\""))
    }

    @Test func aWrongTokenIsUnauthorizedWithAHint() async throws {
        let environment = try KubeTestEnvironment.load()
        let client = KubernetesClient(
            configuration: KubernetesConfiguration(
                server: environment.server, caFile: environment.caFile, credentials: .token("not-a-token"),
                namespace: environment.namespace))
        let error = try await #require(throws: KubernetesError.self) {
            try await client.listJobs(labelSelector: "a=b")
        }
        #expect(error.status == 401)
        #expect(error.hint?.contains("credentials") == true)
    }

    @Test func anUntrustedServerIsATLSError() async throws {
        let environment = try KubeTestEnvironment.load()
        let client = KubernetesClient(
            configuration: KubernetesConfiguration(
                server: environment.server, caFile: nil, credentials: .tokenFile(environment.orchestratorTokenFile),
                namespace: environment.namespace))
        let error = try await #require(throws: KubernetesError.self) {
            try await client.listJobs(labelSelector: "a=b")
        }
        #expect(error.kind == .transport(.tls))
        #expect(error.status == nil)
    }
}
