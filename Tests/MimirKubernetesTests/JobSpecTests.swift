import MimirCore
import MimirKubernetes
import MimirScaling
import Testing

/// The Job builder on its own; the API server's view of the same Jobs is in JobCreationTests.
@Suite struct JobSpecTests {
    static func isDNS1123Label(_ text: String) -> Bool {
        guard (1...63).contains(text.count), let first = text.first, let last = text.last else { return false }
        let allowed = text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        return allowed && first.isLetter && (last.isLetter || last.isNumber)
    }

    static func isLabelValue(_ text: String) -> Bool {
        guard text.count <= 63 else { return false }
        guard let first = text.first, let last = text.last else { return true }
        let allowed = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        return allowed && (first.isLetter || first.isNumber) && (last.isLetter || last.isNumber)
    }

    @Test(arguments: [
        ("ghcr.io/acme/mimir-worker-ml:1.2", "mimir-worker-ml"),
        ("mimir-worker", "mimir-worker"),
        ("localhost:5000/Team/My_Worker@sha256:abcdef", "my-worker"),
        ("registry.example.com/a/very-long-image-name-for-workers-that-goes-on:latest", "very-long-image-name"),
        ("registry.example.com/a/___:1", "image"),
    ])
    func shortImageSlugs(image: String, slug: String) {
        #expect(KubernetesNames.shortImageSlug(image) == slug)
    }

    @Test func jobNamesAreDNS1123AndShortEnough() {
        for image in [
            "ghcr.io/acme/mimir-worker-ml:1.2", String(repeating: "x", count: 300), "UPPER/Case:Tag", "-/--:--",
        ] {
            let name = KubernetesNames.jobName(image: image, suffix: KubernetesNames.randomSuffix())
            #expect(Self.isDNS1123Label(name), "\(name)")
            #expect(name.hasPrefix("mimir-worker-"))
        }
    }

    @Test func labelValuesAreSafeAndDistinct() {
        let long = "registry.example.com/" + String(repeating: "segment/", count: 20) + "worker:1"
        let values = [
            "w-1", "ghcr.io/acme/worker:1", long, long + "x", "-leading-and-trailing-", "ünïcode", "",
        ].map(KubernetesNames.labelValue)
        for value in values { #expect(Self.isLabelValue(value), "\(value)") }
        #expect(values[0] == "w-1")
        #expect(values[2] != values[3])
        #expect(Set(values).count == values.count)
    }

    @Test func specFromALaunch() throws {
        let launch = WorkerLaunch(
            workerID: "w-1", profile: WorkerImageProfile(image: "mimir/worker:1", gpus: 2, cpu: "2", memory: "4Gi"),
            environment: ["B": "2", "A": "1", "REDIS_URL": "redis://should-not-leak"])
        let settings = KubernetesJobSettings(
            command: ["/bin/mimir-worker", "serve", "--verbose"], redisSecretName: "redis", redisSecretKey: "uri",
            activeDeadlineSeconds: nil, ttlSecondsAfterFinished: nil, limitCPU: true, imagePullPolicy: "IfNotPresent")
        let spec = try KubernetesJobSpec(launch: launch, settings: settings, name: "mimir-worker-worker-fixed")
        #expect(spec.name == "mimir-worker-worker-fixed")
        let job = spec.manifest
        #expect(job["spec"]?["activeDeadlineSeconds"] == nil)
        #expect(job["spec"]?["ttlSecondsAfterFinished"] == nil)
        let container = try #require(job["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first)
        #expect(container["command"] == ["/bin/mimir-worker", "serve", "--verbose"])
        #expect(container["imagePullPolicy"] == "IfNotPresent")
        #expect(
            container["env"]
                == [
                    ["name": "A", "value": "1"], ["name": "B", "value": "2"],
                    ["name": "REDIS_URL", "valueFrom": ["secretKeyRef": ["name": "redis", "key": "uri"]]],
                ])
        #expect(
            container["resources"]
                == [
                    "requests": ["cpu": "2", "memory": "4Gi"],
                    "limits": ["cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "2"],
                ])
        #expect(job["spec"]?["template"]?["spec"]?["serviceAccountName"] == nil)
    }

    @Test func workersMountTheProjectStorageAndRunRestricted() throws {
        var settings = KubernetesJobSettings()
        settings.dataVolumeClaim = "mimir-data"
        let spec = try KubernetesJobSpec(launch: workerLaunch("w-data"), settings: settings, name: "mimir-worker-data")
        let pod = spec.manifest["spec"]?["template"]?["spec"]
        let container = pod?["containers"]?.arrayValue?.first
        #expect(spec.manifest["metadata"]?["labels"]?["app"] == "mimir-worker")
        #expect(
            pod?["volumes"]?.arrayValue?.contains { $0["persistentVolumeClaim"]?["claimName"] == "mimir-data" } == true)
        #expect(container?["volumeMounts"]?.arrayValue?.map { $0["mountPath"] } == ["/tmp", "/data"])
        #expect(
            container?["env"]?.arrayValue?.contains { $0["name"] == "MIMIR_DATA_DIR" && $0["value"] == "/data" } == true
        )
        #expect(container?["securityContext"]?["readOnlyRootFilesystem"] == true)
        #expect(container?["securityContext"]?["capabilities"]?["drop"] == ["ALL"])
        #expect(pod?["securityContext"]?["seccompProfile"]?["type"] == "RuntimeDefault")

        let without = try KubernetesJobSpec(launch: workerLaunch("w-plain"), settings: .init(), name: "mimir-worker-p")
        let plain = without.manifest["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        #expect(plain?["volumeMounts"]?.arrayValue?.count == 1, "only /tmp without a claim")
        #expect(plain?["env"]?.arrayValue?.contains { $0["name"] == "MIMIR_DATA_DIR" } == false)
    }

    @Test func noResourcesWhenTheProfileStatesNone() throws {
        let spec = try KubernetesJobSpec(
            launch: WorkerLaunch(workerID: "w", profile: WorkerImageProfile(image: "i"), environment: [:]),
            settings: KubernetesJobSettings())
        let container = spec.manifest["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        #expect(container?["resources"] == [:])
    }

    @Test func badQuantitiesNameTheImage() {
        let launch = WorkerLaunch(
            workerID: "w", profile: WorkerImageProfile(image: "acme/w:1", cpu: "two"), environment: [:])
        #expect(
            throws: KubernetesJobSpecError(
                message:
                    "image acme/w:1: cpu \"two\" is not a positive Kubernetes quantity (such as 500m, 2, 512Mi, 4Gi)")
        ) {
            try KubernetesJobSpec(launch: launch, settings: KubernetesJobSettings())
        }
    }
}
