import Foundation
import MimirCore
import MimirTestSupport
import Testing

/// The worker image catalog: declared in WORKER_IMAGES, learnt from workers' reports, and the
/// ground on which a job no image can serve is refused at submission.
@Suite("Worker image catalog")
struct ImageCatalogTests {
    /// Declares fixture-image with one executor as its workers report it (fixture_echo 1.2.3), one
    /// of another version (fixture_serial), one they lack (ml_training), and a GPU they do not have.
    static let declaration: JSONValue = [
        "images": [
            [
                "image": "fixture-image", "slots": 2, "resources": ["cpu": "2", "memory": "1Gi", "gpu": 1],
                "capabilities": [
                    ["job_type": "fixture_echo", "executor_version": "1.2.3", "plugin": "fixture-good"],
                    ["job_type": "fixture_serial", "executor_version": "0.2.0"],
                    ["job_type": "ml_training", "executor_version": "0.9.0"],
                ],
            ]
        ]
    ]

    static func write(_ document: JSONValue) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("images-\(UUID().uuidString).json")
            .path
        try document.jsonText(pretty: true).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func problem(_ response: APIResponse) -> (code: String?, field: String?, message: String) {
        let error = response.json?["error"]
        return (
            error?["code"]?.stringValue, error?["problems"]?.arrayValue?.first?["field"]?.stringValue,
            error?["message"]?.stringValue ?? ""
        )
    }

    @Test("declared images: jobs accepted before any worker runs, unservable ones refused naming what is offered")
    func declaredBeforeAnyWorker() async throws {
        let api = try await APIHarness.start(["--worker-images", try Self.write(Self.declaration)])
        defer { Task { await api.stop() } }
        let catalog = try #require(try await api.call(.get, "/api/capabilities").json)
        let image = try #require(catalog["images"]?.arrayValue?.first)
        #expect(image["image"] == "fixture-image" && image["source"] == "declared" && image["declared"] == true)
        #expect(image["live_workers"] == [] && image["mismatches"] == [])
        let echo = catalog["job_types"]?["fixture_echo"]
        #expect(echo?["available"] == false && echo?["configured"] == false)
        #expect(echo?["executors"]?.arrayValue?.first?["declared_by"] == ["fixture-image"])
        #expect(catalog["job_types"]?["pipeline_execution"]?["executors"] == [])

        // Servable by the declared image: accepted, and nothing to say while no worker is live.
        let gpuJob = try await api.submit(["type": "fixture_echo", "resource_requirements": ["gpu": true, "cpu": "2"]])
        let queued = try await api.call(.get, "/api/jobs/\(gpuJob)", template: "/api/jobs/{id}").json
        #expect(queued?["status"] == "queued" && queued?["waiting_reason"] == .null)

        // A configured type no known image serves would wait forever.
        let unknown = problem(try await api.call(.post, "/api/jobs", json: ["type": "pipeline_execution"]))
        #expect(unknown.code == "unknown_job_type" && unknown.field == "type")
        #expect(unknown.message.hasSuffix("known types: fixture_echo, fixture_serial, ml_training"), "\(unknown)")

        let cases: [(JSONValue, String, String)] = [
            (
                ["type": "fixture_echo", "task_spec": ["executor_version": "^2"]], "task_spec.executor_version",
                "no known worker image or live worker runs a fixture_echo executor within ^2 (offered: 1.2.3)"
            ),
            (
                ["type": "fixture_echo", "resource_requirements": ["cpu": "2500m"]], "resource_requirements.cpu",
                "no known worker image or live worker that serves fixture_echo offers 2500m CPU (the most offered is 2)"
            ),
            (
                ["type": "ml_training", "resource_requirements": ["memory": "2Gi"]], "resource_requirements.memory",
                "no known worker image or live worker that serves ml_training offers 2Gi of memory (the most offered is 1Gi)"
            ),
        ]
        for (job, field, message) in cases {
            let refused = problem(try await api.call(.post, "/api/jobs", json: job))
            #expect(refused.code == "unservable_job" && refused.field == field, "\(refused)")
            #expect(refused.message.hasPrefix(message), "\(refused.message)")
            #expect(refused.message.contains("offered: image fixture-image: "), "\(refused.message)")
        }
    }

    @Test("a worker's report beats its image's declaration, and every difference is flagged")
    func reportBeatsDeclaration() async throws {
        let api = try await APIHarness.start(["--worker-images", try Self.write(Self.declaration)])
        defer { Task { await api.stop() } }
        let gpuJob = try await api.submit(["type": "fixture_echo", "resource_requirements": ["gpu": true]])
        let worker = try WorkerProcess(for: api, id: "w-img", register: true, extra: ["--gpus", "0"])
        try await WorkerProcess.waitUntilRegistered(["w-img"], api)

        let catalog = try #require(try await api.call(.get, "/api/capabilities").json)
        let image = try #require(catalog["images"]?.arrayValue?.first)
        #expect(image["source"] == "reported" && image["declared"] == true && image["live_workers"] == ["w-img"])
        #expect(image["reported_by"] == "w-img", "\(worker.log)")
        #expect(
            image["mismatches"] == [
                "declares fixture_serial 0.2.0, but its workers report fixture_serial 0.3.0 (fixture-good 2.1.0)",
                "declares ml_training 0.9.0, which its workers do not report",
                "declares 1 GPU(s), but its workers report 0",
            ], "\(image)")
        let serial = catalog["job_types"]?["fixture_serial"]?["executors"]?.arrayValue ?? []
        // What the worker reports replaces the declaration: the declared 0.2.0 is not offered.
        #expect(serial.map { $0["executor_version"] } == ["0.3.0"])
        #expect(serial.first?["workers"] == ["w-img"] && serial.first?["declared_by"] == [])

        // The queued GPU job says why it waits; a new one is refused, as the image has no GPU after all.
        let waiting = try await api.poll(gpuJob) { $0["waiting_reason"]?.stringValue != nil }
        #expect(waiting["waiting_reason"] == "no live worker that serves fixture_echo offers a GPU", "\(waiting)")
        let refused = problem(
            try await api.call(
                .post, "/api/jobs", json: ["type": "fixture_echo", "resource_requirements": ["gpu": true]]))
        #expect(refused.code == "unservable_job" && refused.field == "resource_requirements.gpu", "\(refused)")
        let gone = problem(try await api.call(.post, "/api/jobs", json: ["type": "ml_training"]))
        #expect(gone.code == "unknown_job_type", "\(gone)")

        // The catalog is kept in Redis: a restarted orchestrator without the declaration still knows the image.
        await api.stop()
        let again = try await OrchestratorProcess.start(
            redisURL: api.redisURL, namespace: api.queue.configuration.namespace)
        defer { again.process.signal(SIGKILL) }
        let harness = APIHarness(
            orchestrator: again, redisURL: api.redisURL, contract: api.contract, queue: api.queue)
        let images = try await harness.call(.get, "/api/capabilities").json?["images"]?.arrayValue ?? []
        #expect(images.map { $0["image"] } == ["fixture-image"])
        #expect(images.first?["declared"] == false && images.first?["source"] == "reported")
    }

    @Test("a WORKER_IMAGES file with mistakes stops the orchestrator at start, naming each field")
    func badDeclarations() async throws {
        let file = try Self.write([
            "images": [
                ["image": "a", "capabilities": [["job_type": "x", "executor_version": "one"]]],
                ["image": "a", "capabilities": [], "resources": ["gpu": -1], "colour": "red"],
            ]
        ])
        let redis = try await SharedRedis.server.value.url
        do {
            let orchestrator = try await OrchestratorProcess.start(
                redisURL: redis, namespace: "bad-\(UUID().uuidString.prefix(6))", arguments: ["--worker-images", file])
            orchestrator.process.signal(SIGKILL)
            Issue.record("the orchestrator started with a bad WORKER_IMAGES file")
        } catch {
            let text = "\(error)"
            for expected in [
                "WORKER_IMAGES: \(file):",
                "images[0].capabilities[0].executor_version: \"one\" is not a semantic version",
                "images[1].image: a is declared twice", "images[1].colour: unknown field",
                "images[1].resources.gpu: must be a whole number of GPUs",
            ] {
                #expect(text.contains(expected), "\(expected) missing from: \(text)")
            }
        }
        let missing = try? await OrchestratorProcess.start(
            redisURL: redis, namespace: "bad", arguments: ["--worker-images", "/nonexistent/images.json"])
        #expect(missing == nil)
    }

    @Test("two workers with different plugin sets: each job goes only to a worker that can run it")
    func shippedPluginsRouteByCapability() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        let full = try WorkerProcess(
            for: api, id: "w-full", register: true, image: "mimir-full",
            pluginDirectory: try WorkerProcess.shippedPlugins([
                "PipelineExecution", "MLTraining", "MLInference", "DigitalTwinUpdate",
            ]), extra: ["--gpus", "1"])
        let lite = try WorkerProcess(
            for: api, id: "w-lite", register: true, image: "mimir-lite",
            pluginDirectory: try WorkerProcess.shippedPlugins(["PipelineExecution", "MLInference", "DigitalTwinUpdate"]
            ),
            extra: ["--gpus", "0"])
        try await WorkerProcess.waitUntilRegistered(["w-full", "w-lite"], api)
        let capabilities = try #require(try await api.call(.get, "/api/capabilities").json)
        let trainer = capabilities["job_types"]?["ml_training"]?["executors"]?.arrayValue?.first
        #expect(trainer?["images"] == ["mimir-full"] && trainer?["workers"] == ["w-full"])
        #expect(trainer?["plugin"] == "MLTraining", "\(String(describing: trainer))")
        let inference = capabilities["job_types"]?["ml_inference"]?["executors"]?.arrayValue?.first
        #expect(inference?["images"] == ["mimir-full", "mimir-lite"] && inference?["workers"] == ["w-full", "w-lite"])

        let training: JSONValue = ["type": "ml_training", "task_spec": ["parameters": ["task": "clustering"]]]
        let gpuInference: JSONValue = [
            "type": "ml_inference", "task_spec": ["model_id": "m1"], "resource_requirements": ["gpu": true],
        ]
        let others: [JSONValue] = [
            ["type": "pipeline_execution", "task_spec": ["parameters": ["steps": [["kind": "source"]]]]],
            ["type": "ml_inference", "task_spec": ["model_id": "m1"]],
            ["type": "digital_twin_update", "task_spec": ["parameters": ["twin_id": "plant-1"]]],
        ]
        var onlyFull: [String] = []
        var anywhere: [String] = []
        for _ in 0..<3 {
            onlyFull.append(try await api.submit(training))
            onlyFull.append(try await api.submit(gpuInference))
            for job in others { anywhere.append(try await api.submit(job)) }
        }
        for id in onlyFull + anywhere {
            let job = try await api.poll(id) {
                ["succeeded", "failed", "dead"].contains($0["status"]?.stringValue ?? "")
            }
            // These jobs name no data (no such twin, no dataset, no model): each executor ran and refused
            // its input at once, which is all routing needs to show.
            #expect(job["status"] == "failed" && job["attempts"] == 1, "\(job)\n\(full.log)\n\(lite.log)")
            #expect(job["error_kind"] == "invalid_input" || job["error_kind"] == "permanent_failure", "\(job)")
            if onlyFull.contains(id) { #expect(job["worker_id"] == "w-full", "\(job)") }
        }
    }
}

@Suite("mimir-worker declare")
struct DeclareCommandTests {
    @Test("prints the image's declaration from its plugins, which the orchestrator takes as WORKER_IMAGES")
    func declarationRoundTrip() async throws {
        let plugins = try WorkerProcess.shippedPlugins(["PipelineExecution", "DigitalTwinUpdate"])
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("declare-\(UUID().uuidString)").path
        let declare = try SpawnedProcess(
            executable: BuildProducts.path("mimir-worker"),
            arguments: ["declare", "--plugin-dir", plugins, "--image", "etl:1", "--slots", "3", "--memory", "2Gi"],
            outputPath: output)
        await declare.waitForExit()
        #expect(declare.exitCode == 0)
        let declaration = try JSONValue.parse(try String(contentsOfFile: output, encoding: .utf8))
        #expect(declaration["image"] == "etl:1" && declaration["slots"] == 3)
        #expect(declaration["resources"] == ["memory": "2Gi"])
        #expect(
            declaration["capabilities"]?.arrayValue?.compactMap { $0["job_type"]?.stringValue }
                == ["digital_twin_update", "pipeline_execution"])

        let api = try await APIHarness.start([
            "--worker-images", try ImageCatalogTests.write(["images": [declaration]]),
        ])
        defer { Task { await api.stop() } }
        let catalog = try #require(try await api.call(.get, "/api/capabilities").json)
        #expect(catalog["images"]?.arrayValue?.first?["image"] == "etl:1")
        let pipeline = catalog["job_types"]?["pipeline_execution"]?["executors"]?.arrayValue?.first
        #expect(pipeline?["declared_by"] == ["etl:1"] && pipeline?["plugin"] == "PipelineExecution")
        // The declared schema checks submissions before any worker of the image runs.
        let refused = try await api.call(
            .post, "/api/jobs", json: ["type": "pipeline_execution", "task_spec": ["parameters": ["steps": []]]])
        #expect(refused.status == 422 && refused.json?["error"]?["code"] == "invalid_job")
    }
}
