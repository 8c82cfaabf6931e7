import Foundation
import MimirCore
import MimirHTTPClient
import MimirTestSupport
import Testing

/// The orchestrator's scaler with the Kubernetes backend, against the real kube-apiserver of
/// `scripts/kube-test-env.sh` (MIMIR_KUBE_ENV), with the orchestrator's own Role-bound token.
@Suite("Scaling with Kubernetes Jobs")
struct KubernetesScalingTests {
    @Test("a queued job of a declared image becomes a Kubernetes Job with the image, which runs to completion")
    func jobRunsToCompletion() async throws {
        let kube = try KubeCluster(KubeTestEnvironment.load())
        let image = "registry.example.com/mimir/echo-worker:1.0"
        let name = "orch-\(UUID().uuidString.prefix(6).lowercased())"
        let declaration: JSONValue = [
            "images": [
                [
                    "image": .string(image), "slots": 1, "resources": ["cpu": "500m", "memory": "256Mi"],
                    "capabilities": [["job_type": "fixture_echo", "executor_version": "1.2.3"]],
                ]
            ]
        ]
        let api = try await APIHarness.start(
            try kube.orchestratorArguments(name: name, declaration: declaration) + [
                // The stand-in kubelet ends the pod after the worker's idle timeout: long enough that the
                // Job is usually still the only one when it is looked at below.
                "--min-workers", "0", "--worker-idle-timeout-seconds", "8", "--scaler-interval-seconds", "0.2",
            ],
            environment: [
                // Deployment choices the manifests make through the ConfigMap: passed on to every Job.
                "KUBE_IMAGE_PULL_POLICY": "Never", "KUBE_NODE_SELECTOR": "kubernetes.io/os=linux",
                "KUBE_WORKER_TOKEN_SECRET": "mimir-api-tokens/worker-token",
                "KUBE_TOLERATIONS": #"[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]"#,
            ])
        defer { Task { await api.stop() } }
        _ = try await api.submit(["type": "fixture_echo"])

        // The scaler starts one worker Job for the one queued job; it exists in the API server.
        var scaling: JSONValue = .null
        for _ in 0..<150 {
            scaling = try await api.call(.get, "/api/scaling").json ?? .null
            if scaling["decisions"]?.arrayValue?.contains(where: { $0["kind"] == "launched" }) == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let decisions = scaling["decisions"]?.arrayValue ?? []
        let launched = decisions.filter { $0["kind"] == "launched" }
        // One launch for the one queued job. A second is right only once the first worker has
        // ended (no real worker takes the job here; the stand-in kubelet ends the pod after the
        // idle timeout), which a starved test process may see before it looks.
        let launchedAt = launched.compactMap { $0["at"]?.stringValue }.sorted()
        let exitedAt = decisions.filter { $0["kind"] == "exited" }.compactMap { $0["at"]?.stringValue }
        let relaunched =
            launchedAt.count == 2 && exitedAt.contains { $0 >= launchedAt[0] && $0 <= launchedAt[1] }
        #expect((launched.count == 1 || relaunched), "\(scaling)")
        #expect(!launched.isEmpty && launched.allSatisfy { $0["image"] == .string(image) }, "\(scaling)")
        let list = try await kube.get(kube.jobsPath(orchestrator: name))
        let jobs = try list.json()["items"]?.arrayValue ?? []
        // One Job for the one queued job. A second is right only once the first worker has ended: no
        // real worker runs here, so the job still waits when the stand-in kubelet ends the pod after
        // the idle timeout, and on a loaded machine the listing can come after that. A second Job
        // launched while the first still ran would have no `exited` decision before it.
        let ended =
            (try await api.call(.get, "/api/scaling").json?["decisions"]?.arrayValue ?? []).contains {
                $0["kind"] == "exited"
            }
        #expect(jobs.count == 1 || (jobs.count == 2 && ended), "\(list.text)")
        #expect(!jobs.isEmpty)
        for job in jobs {
            let container = job["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
            #expect(container?["image"] == .string(image))
            #expect(container?["resources"]?["requests"]?["cpu"] == "500m")
            #expect(job["spec"]?["backoffLimit"] == 0)
            #expect(container?["imagePullPolicy"] == "Never")
            // The worker credential comes from its Secret; no token is written into the Job.
            let variables = container?["env"]?.arrayValue ?? []
            let workerToken = variables.first { $0["name"] == "MIMIR_WORKER_TOKEN" }
            #expect(workerToken?["valueFrom"]?["secretKeyRef"] == ["name": "mimir-api-tokens", "key": "worker-token"])
            let podSpec = job["spec"]?["template"]?["spec"]
            #expect(podSpec?["nodeSelector"] == ["kubernetes.io/os": "linux"])
            #expect(podSpec?["tolerations"]?.arrayValue?.first?["key"] == "nvidia.com/gpu")
        }
        #expect(!list.text.contains(TestTokens.worker))

        // The stand-in kubelet runs the pod for the worker's idle timeout and ends it: reported as exited.
        var exited = false
        for _ in 0..<600 where !exited {
            try await Task.sleep(for: .milliseconds(100))
            let state = try await api.call(.get, "/api/scaling").json
            exited = state?["decisions"]?.arrayValue?.contains { $0["kind"] == "exited" } == true
        }
        let final = try await api.call(.get, "/api/scaling").json ?? .null
        #expect(exited, "\(final)")
    }

    @Test("a worker whose Job failed, every pod of it ended: its jobs go back to the queue at once, not at lease end")
    func failedWorkersJobsBackAtOnce() async throws {
        let kube = try KubeCluster(KubeTestEnvironment.load())
        let image = "registry.example.com/mimir/echo-worker:1.0"
        let name = "orch-\(UUID().uuidString.prefix(6).lowercased())"
        let declaration: JSONValue = [
            "images": [
                ["image": .string(image), "capabilities": [["job_type": "fixture_echo", "executor_version": "1.2.3"]]]
            ]
        ]
        // The test plays the worker the Job would run: its lease (15 minutes) cannot be what
        // brings the job back within the 2 minutes looked at below.
        let api = try await APIHarness.start(
            try kube.orchestratorArguments(name: name, declaration: declaration) + [
                "--min-workers", "0", "--max-workers", "1", "--worker-idle-timeout-seconds", "600",
                "--scaler-interval-seconds", "0.2",
            ],
            workerLease: .seconds(900),
            environment: [
                "KUBE_IMAGE_PULL_POLICY": "Never", "KUBE_WORKER_TOKEN_SECRET": "mimir-api-tokens/worker-token",
            ])
        defer { Task { await api.stop() } }
        let id = try await api.submit(["type": "fixture_echo"])

        // The Job the scaler starts for it, and its pod once the stand-in kubelet runs it.
        var job: JSONValue?
        var pod: JSONValue?
        for _ in 0..<300 where pod == nil {
            try await Task.sleep(for: .milliseconds(100))
            job = try await kube.get(kube.jobsPath(orchestrator: name)).json()["items"]?.arrayValue?.first
            guard let jobName = job?["metadata"]?["name"]?.stringValue else { continue }
            pod = try await kube.get("\(kube.podsPath)?labelSelector=job-name%3D\(jobName)").json()["items"]?
                .arrayValue?.first { $0["status"]?["phase"] == "Running" }
        }
        let workerID = try #require(job?["metadata"]?["annotations"]?["mimir-aip.io/worker-id"]?.stringValue)
        let podName = try #require(pod?["metadata"]?["name"]?.stringValue, "no running pod: \(String(describing: job))")
        let taken = try await api.queue.take(workerID: workerID, types: ["fixture_echo"])
        #expect(taken?.id == id)

        // The worker is OOM-killed: the kubelet reports the pod failed, the Job controller fails the Job.
        let container = pod?["spec"]?["containers"]?.arrayValue?.first
        let failed: JSONValue = [
            "status": [
                "phase": "Failed",
                "containerStatuses": [
                    [
                        "name": container?["name"] ?? "worker", "image": container?["image"] ?? .string(image),
                        "imageID": "", "containerID": "", "ready": false, "restartCount": 0,
                        "state": ["terminated": ["exitCode": 137, "reason": "OOMKilled"]],
                    ]
                ],
            ]
        ]
        let patched = try await kube.send(
            .patch, "\(kube.podsPath)/\(podName)/status", json: failed,
            contentType: "application/strategic-merge-patch+json")
        #expect(patched.status < 300, "\(patched.text)")

        let back = try await api.poll(id, seconds: 120) { $0["attempts"] == 1 && $0["status"] != "running" }
        #expect(back["status"] == "queued" || back["worker_id"] != .string(workerID), "\(back)")
        #expect(back["error"]?.stringValue?.contains("OOMKilled") == true, "\(back)")
        // The pass records its decision after the release it stands for.
        var decisions: [JSONValue] = []
        for _ in 0..<1200 {
            decisions = try await api.call(.get, "/api/scaling").json?["decisions"]?.arrayValue ?? []
            if decisions.contains(where: { $0["kind"] == "jobs_released" }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(decisions.contains { $0["kind"] == "jobs_released" }, "\(decisions)")
    }
}

/// The test control plane as these tests use it: the flags that connect an orchestrator to it with
/// its own Role-bound token, and the administrator's view of what the API server stores.
struct KubeCluster {
    let environment: KubeTestEnvironment
    let adminToken: String
    let client: HTTPClient

    init(_ environment: KubeTestEnvironment) throws {
        self.environment = environment
        adminToken = try String(contentsOfFile: environment.adminTokenFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        client = HTTPClient(tls: TLSOptions(caFile: environment.caFile))
    }

    /// An orchestrator named `name` with `declaration` as its image catalog, starting Kubernetes Jobs.
    func orchestratorArguments(name: String, declaration: JSONValue) throws -> [String] {
        [
            "--worker-images", try ImageCatalogTests.write(declaration), "--worker-backend", "kubernetes",
            "--kube-server", environment.server, "--kube-token-file", environment.orchestratorTokenFile,
            "--kube-ca-file", environment.caFile, "--kube-namespace", environment.namespace,
            "--kube-orchestrator-name", name,
        ]
    }

    /// The worker Jobs of the orchestrator named `name`.
    func jobsPath(orchestrator name: String) -> String {
        "/apis/batch/v1/namespaces/\(environment.namespace)/jobs?labelSelector=mimir-aip.io/orchestrator%3D\(name)"
    }

    var podsPath: String { "/api/v1/namespaces/\(environment.namespace)/pods" }

    func get(_ path: String) async throws -> HTTPResponse {
        try await send(.get, path)
    }

    /// A request to the API server as its administrator.
    func send(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, contentType: String = "application/json")
        async throws -> HTTPResponse
    {
        var headers = [("Authorization", "Bearer \(adminToken)")]
        if json != nil { headers.append(("Content-Type", contentType)) }
        return try await client.send(
            HTTPRequest(method: method, url: environment.server + path, headers: headers, body: json?.jsonBytes()))
    }
}
