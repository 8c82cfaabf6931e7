import Foundation
import MimirCore
import MimirKubernetes
import MimirTestSupport
import Testing

@Suite struct ClientTests {
    /// Projected service-account tokens rotate: the next request must use the new file content.
    @Test func aRotatedTokenFileIsReadAgain() async throws {
        let environment = try KubeTestEnvironment.load()
        let directory = try temporaryDirectory()
        let tokenFile = "\(directory)/token"
        let good = try String(contentsOfFile: environment.orchestratorTokenFile, encoding: .utf8)
        try good.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let client = KubernetesClient(
            configuration: .explicit(
                server: environment.server, tokenFile: tokenFile, caFile: environment.caFile,
                namespace: environment.namespace))
        _ = try await client.listJobs(labelSelector: "a=b")
        // Written atomically (a rename, as the kubelet's symlink swap), so the inode changes.
        try "revoked-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let error = try await #require(throws: KubernetesError.self) { try await client.listJobs(labelSelector: "a=b") }
        #expect(error.status == 401)
        try good.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        _ = try await client.listJobs(labelSelector: "a=b")
        try FileManager.default.removeItem(atPath: tokenFile)
        let missing = try await #require(throws: KubernetesError.self) {
            try await client.listJobs(labelSelector: "a=b")
        }
        #expect(missing.kind == .configuration)
        #expect(missing.message.contains(tokenFile))
    }

    /// Lists follow `continue` tokens, so a page size smaller than the list still returns it all.
    @Test func listsFollowContinueTokens() async throws {
        let environment = try KubeTestEnvironment.load()
        let backend = environment.backend("pages")
        defer { Task { await deleteJobs(of: backend, using: environment.adminClient) } }
        for index in 0..<5 { try await backend.launch(workerLaunch("w-page-\(index)")) }
        let selector = WorkerLabels.selector(orchestrator: backend.settings.orchestrator)
        let jobs = try await environment.orchestratorClient.list(
            "/apis/batch/v1/namespaces/\(environment.namespace)/jobs", query: [("labelSelector", selector)],
            pageSize: 2)
        #expect(jobs.count == 5)
        #expect(try await backend.inventory().count == 5)
    }

    @Test func aDuplicateNameIsAlreadyExists() async throws {
        let environment = try KubeTestEnvironment.load()
        let spec = try KubernetesJobSpec(
            launch: workerLaunch("w-dup"), settings: KubernetesJobSettings(orchestrator: "test-dup"))
        try await environment.orchestratorClient.createJob(spec.manifest)
        defer { Task { try? await environment.adminClient.deleteJob(named: spec.name) } }
        let error = try await #require(throws: KubernetesError.self) {
            try await environment.orchestratorClient.createJob(spec.manifest)
        }
        #expect(error.isAlreadyExists)
        #expect(error.message == "jobs.batch \"\(spec.name)\" already exists")
    }
}
