import MimirCore
import MimirKubernetes
import MimirScaling
import MimirTestSupport
import Testing

/// Jobs as the API server stores them (read back as admin), not as the builder meant them.
@Suite struct JobCreationTests {
    @Test func launchCreatesAJobWithTheWholeSpec() async throws {
        let environment = try KubeTestEnvironment.load()
        let settings = KubernetesJobSettings(
            redisSecretName: "mimir-redis", redisSecretKey: "url", activeDeadlineSeconds: 7200,
            ttlSecondsAfterFinished: 120, serviceAccountName: "mimir-worker", imagePullSecrets: ["registry-login"],
            nodeSelector: ["mimir-aip.io/pool": "gpu"],
            tolerations: [["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"]])
        let backend = environment.backend("spec", settings: settings)
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        let image = "ghcr.io/acme/mimir-worker-ml:2.1.0"
        let profile = WorkerImageProfile(image: image, slots: 2, gpus: 1, cpu: "500m", memory: "256Mi")
        try await backend.launch(workerLaunch("w-spec-1", image: image, profile: profile))

        let selector = WorkerLabels.selector(orchestrator: backend.settings.orchestrator)
        let jobs = try await environment.adminClient.listJobs(labelSelector: selector)
        try #require(jobs.count == 1)
        let job = jobs[0]
        let name = try #require(job["metadata"]?["name"]?.stringValue)
        #expect(name.hasPrefix("mimir-worker-mimir-worker-ml-"))
        #expect(name.count <= 63)

        let labels = try #require(job["metadata"]?["labels"])
        #expect(labels["app.kubernetes.io/name"] == "mimir-worker")
        #expect(labels["app.kubernetes.io/instance"] == "w-spec-1")
        #expect(labels["app.kubernetes.io/component"] == "worker")
        #expect(labels["app.kubernetes.io/part-of"] == "mimir-aip")
        #expect(labels["app.kubernetes.io/managed-by"] == "mimir-orchestrator")
        #expect(labels["mimir-aip.io/image"] == .string("ghcr.io_acme_mimir-worker-ml_2.1.0-\(fnv(image))"))
        #expect(job["metadata"]?["annotations"]?["mimir-aip.io/image"] == .string(image))
        #expect(job["metadata"]?["annotations"]?["mimir-aip.io/worker-id"] == "w-spec-1")

        let spec = try #require(job["spec"])
        #expect(spec["backoffLimit"] == 0)
        #expect(spec["activeDeadlineSeconds"] == 7200)
        #expect(spec["ttlSecondsAfterFinished"] == 120)
        let podSpec = try #require(spec["template"]?["spec"])
        #expect(podSpec["restartPolicy"] == "Never")
        #expect(podSpec["serviceAccountName"] == "mimir-worker")
        #expect(podSpec["imagePullSecrets"] == [["name": "registry-login"]])
        #expect(podSpec["nodeSelector"] == ["mimir-aip.io/pool": "gpu"])
        #expect(podSpec["tolerations"]?.arrayValue?.first?["key"] == "nvidia.com/gpu")
        #expect(spec["template"]?["metadata"]?["labels"]?["app.kubernetes.io/instance"] == "w-spec-1")

        let container = try #require(podSpec["containers"]?.arrayValue?.first)
        #expect(container["image"] == .string(image))
        #expect(container["command"] == ["mimir-worker", "serve"])
        let env = container["env"]?.arrayValue ?? []
        func variable(_ name: String) -> JSONValue? { env.first { $0["name"]?.stringValue == name } }
        #expect(variable("MIMIR_WORKER_ID")?["value"] == "w-spec-1")
        #expect(variable("MIMIR_WORKER_IMAGE")?["value"] == .string(image))
        #expect(variable("MIMIR_WORKER_IDLE_TIMEOUT")?["value"] == "3600")
        #expect(variable("REDIS_URL")?["value"] == nil)
        #expect(variable("REDIS_URL")?["valueFrom"]?["secretKeyRef"] == ["name": "mimir-redis", "key": "url"])

        let resources = try #require(container["resources"])
        #expect(resources["requests"]?["cpu"] == "500m")
        #expect(resources["requests"]?["memory"] == "256Mi")
        #expect(resources["limits"]?["memory"] == "256Mi")
        #expect(resources["limits"]?["nvidia.com/gpu"] == "1")

        // The Job controller's pod carries the labels the backend selects pods by, and Kubernetes
        // has copied the GPU limit to a request.
        let pod = try await firstPod(of: name, client: environment.adminClient)
        #expect(pod["metadata"]?["labels"]?["app.kubernetes.io/instance"] == "w-spec-1")
        let podResources = pod["spec"]?["containers"]?.arrayValue?.first?["resources"]
        #expect(podResources?["requests"]?["nvidia.com/gpu"] == "1")
    }

    @Test func anInvalidQuantityIsRefusedBeforeAnythingIsSent() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("quantity")
        let profile = WorkerImageProfile(image: "mimir/worker:1", memory: "lots")
        await #expect(throws: KubernetesJobSpecError.self) {
            try await backend.launch(workerLaunch("w-bad", profile: profile))
        }
        #expect(try await backend.inventory().isEmpty)
    }

    /// Not an assertion: how long `launch` takes until the Job can be read back.
    @Test func launchToJobExistsTime() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("timing")
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        let client = environment.orchestratorClient
        let selector = WorkerLabels.selector(orchestrator: backend.settings.orchestrator)
        let clock = ContinuousClock()
        var launches: [Duration] = []
        var untilReadable: [Duration] = []
        for index in 0..<20 {
            let workerID = "w-timing-\(index)"
            let start = clock.now
            try await backend.launch(workerLaunch(workerID))
            launches.append(clock.now - start)
            // The name is the backend's choice: find it by the worker's label, then GET it.
            let jobs = try await client.listJobs(labelSelector: "\(selector),app.kubernetes.io/instance=\(workerID)")
            let name = try #require(jobs.first?["metadata"]?["name"]?.stringValue)
            _ = try await client.getJob(named: name)
            untilReadable.append(clock.now - start)
        }
        print("launch returned (POST stored the Job): \(summary(launches))")
        print("launch -> Job exists (launch, then list by label and GET): \(summary(untilReadable))")
    }
}

/// `min/median/max` in milliseconds, for timings printed by tests.
func summary(_ samples: [Duration]) -> String {
    let sorted = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
        .sorted()
    func ms(_ value: Double) -> String { "\((value * 10).rounded() / 10) ms" }
    return "\(sorted.count) runs, min \(ms(sorted[0])), median \(ms(sorted[sorted.count / 2])), "
        + "max \(ms(sorted[sorted.count - 1]))"
}

/// The pod the Job controller made for Job `name`, waiting up to 20 s for it.
func firstPod(of name: String, client: KubernetesClient) async throws -> JSONValue {
    for _ in 0..<80 {
        if let pod = try await client.listPods(labelSelector: "job-name=\(name)").first { return pod }
        try await Task.sleep(for: .milliseconds(250))
    }
    throw KubeTestEnvironment.Missing(description: "the Job controller made no pod for \(name) within 20 s")
}

/// The label hash the names code uses, recomputed here so the test states the exact expected value.
func fnv(_ text: String) -> String {
    var hash: UInt32 = 2_166_136_261
    for byte in text.utf8 {
        hash ^= UInt32(byte)
        hash = hash &* 16_777_619
    }
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
