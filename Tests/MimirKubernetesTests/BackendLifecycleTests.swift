import Foundation
import MimirCore
import MimirKubernetes
import MimirScaling
import MimirTestSupport
import Testing

/// Inventory and events against the stand-in kubelet, which runs a pod for its
/// MIMIR_WORKER_IDLE_TIMEOUT and then exits with MIMIR_FAKE_EXIT_CODE (0 unless set).
@Suite struct BackendLifecycleTests {
    @Test func inventoryCountsOnlyThisOrchestratorsUnfinishedJobs() async throws {
        let environment = try KubeTestEnvironment.load()
        let mine = environment.backend("inventory-a")
        let other = environment.backend("inventory-b")
        defer {
            Task {
                await deleteJobs(of: mine, using: environment.adminClient)
                await deleteJobs(of: other, using: environment.adminClient)
            }
        }
        try await mine.launch(workerLaunch("w-inv-1"))
        try await mine.launch(workerLaunch("w-inv-2", image: "registry.example.com/mimir/ml-worker:3"))
        try await mine.launch(workerLaunch("w-inv-done", idleSeconds: 1))
        try await other.launch(workerLaunch("w-inv-other"))
        // A Job with similar labels that no orchestrator manages.
        let foreign: JSONValue = [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": [
                "name": .string("foreign-\(KubernetesNames.randomSuffix())"),
                "labels": ["app.kubernetes.io/name": "mimir-worker", "app.kubernetes.io/managed-by": "someone-else"],
            ],
            "spec": [
                "backoffLimit": 0,
                "template": [
                    "spec": [
                        "restartPolicy": "Never", "containers": [["name": "x", "image": "busybox"]],
                    ]
                ],
            ],
        ]
        let created = try await environment.adminClient.createJob(foreign)
        defer {
            if let name = created["metadata"]?["name"]?.stringValue {
                Task { try? await environment.adminClient.deleteJob(named: name) }
            }
        }

        // w-inv-done's pod runs for a second; its Job then completes and leaves the inventory.
        _ = try await drainUntil(mine) { $0.workerID == "w-inv-done" && $0.kind == .exited }
        let inventory = try await mine.inventory()
        #expect(Set(inventory.map(\.workerID)) == ["w-inv-1", "w-inv-2"])
        let second = try #require(inventory.first { $0.workerID == "w-inv-2" })
        #expect(second.image == "registry.example.com/mimir/ml-worker:3")
        let nowMilliseconds = currentMilliseconds()
        #expect(abs(second.startedAt - nowMilliseconds) < 120_000)
        #expect(try await other.inventory().map(\.workerID) == ["w-inv-other"])
    }

    @Test func aCompletedJobIsReportedOnceAsExitedAndLeavesTheInventory() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("exit")
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        // Long enough that the Job is surely still running when the inventory is read, however
        // loaded the machine.
        try await backend.launch(workerLaunch("w-exit", idleSeconds: 20))
        #expect(try await backend.inventory().map(\.workerID) == ["w-exit"])

        let events = try await drainUntil(backend) { $0.workerID == "w-exit" }
        let event = try #require(events.first { $0.workerID == "w-exit" })
        #expect(event.kind == .exited)
        #expect(event.image == "registry.example.com/mimir/worker:1.0")
        #expect(event.message.contains("completed"))
        #expect(try await backend.inventory().isEmpty)
        // Once each: the Job is still there (TTL 600 s) but is not reported again.
        #expect(await backend.drainEvents().isEmpty)
    }

    @Test func aFailedWorkerIsReportedAsCrashedWithTheReason() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("crash")
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        try await backend.launch(workerLaunch("w-crash", idleSeconds: 1, extra: ["MIMIR_FAKE_EXIT_CODE": "3"]))
        let events = try await drainUntil(backend) { $0.workerID == "w-crash" }
        let event = try #require(events.first { $0.workerID == "w-crash" })
        #expect(event.kind == .crashed)
        #expect(event.message.contains("BackoffLimitExceeded"), "\(event.message)")
        #expect(event.message.contains("exit code 3"), "\(event.message)")
        #expect(event.workerGone, "its one pod failed: nothing runs as the worker any more")
        #expect(try await backend.inventory().isEmpty)
    }

    @Test func anImageThatCannotBePulledIsReportedAsFailedToStart() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("pull")
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        let image = "registry.example.com/mimir/does-not-exist:1"
        try await backend.launch(workerLaunch("w-pull", image: image))
        let events = try await drainUntil(backend) { $0.workerID == "w-pull" }
        let event = try #require(events.first { $0.workerID == "w-pull" })
        #expect(event.kind == .failedToStart)
        #expect(event.kind.rawValue == "failed_to_start")
        #expect(event.image == image)
        #expect(event.message.hasPrefix("ErrImagePull: "), "\(event.message)")
        #expect(event.message.contains(image))
        // The Job is deleted: it would never start, and counting it would stall scaling up.
        #expect(try await backend.inventory().isEmpty)
        #expect(await backend.drainEvents().isEmpty)
    }

    @Test func aMissingSecretIsReportedAsFailedToStart() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("secret", settings: KubernetesJobSettings(redisSecretName: "no-such-secret"))
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        try await backend.launch(workerLaunch("w-secret"))
        let events = try await drainUntil(backend) { $0.workerID == "w-secret" }
        let event = try #require(events.first { $0.workerID == "w-secret" })
        #expect(event.kind == .failedToStart)
        #expect(event.message == "CreateContainerConfigError: secret \"no-such-secret\" not found")
    }

    @Test func anUnschedulablePodIsReportedOnceAndKeptWaiting() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("unschedulable")
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        // The fake node has 4 GPUs.
        let profile = WorkerImageProfile(image: "mimir/gpu-worker:1", gpus: 8)
        try await backend.launch(workerLaunch("w-big", profile: profile))
        let events = try await drainUntil(backend) { $0.workerID == "w-big" }
        let event = try #require(events.first { $0.workerID == "w-big" })
        #expect(event.kind == .failedToStart)
        #expect(event.message.hasPrefix("Unschedulable: "), "\(event.message)")
        #expect(event.message.contains("nvidia.com/gpu"), "\(event.message)")
        // A node may yet come (cluster autoscaler): the Job stays, and is not reported again.
        #expect(try await backend.inventory().map(\.workerID) == ["w-big"])
        #expect(await backend.drainEvents().isEmpty)
    }

    @Test func aBackendWithoutTTLDeletesTheJobsItReported() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("cleanup", settings: KubernetesJobSettings(ttlSecondsAfterFinished: nil))
        #expect(backend.deleteFinishedJobs)
        try await backend.launch(workerLaunch("w-cleanup", idleSeconds: 1))
        _ = try await drainUntil(backend) { $0.workerID == "w-cleanup" && $0.kind == .exited }
        let selector = WorkerLabels.selector(orchestrator: backend.settings.orchestrator)
        #expect(try await environment.adminClient.listJobs(labelSelector: selector).isEmpty)
    }
}

func currentMilliseconds() -> Int64 {
    Int64((Date.timeIntervalSinceReferenceDate + 978_307_200) * 1000)
}
