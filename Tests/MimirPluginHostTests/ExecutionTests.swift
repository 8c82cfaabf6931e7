import Foundation
import MimirCore
import MimirPluginHost
import Synchronization
import Testing

@Suite("Executing jobs through the registry")
struct ExecutionTests {
    let registry: ExecutorRegistry

    init() throws {
        registry = TestEnvironment.registry([
            try TestEnvironment.fixture("good"), try TestEnvironment.fixture("bad_result"),
        ])
    }

    func executor(_ jobType: String) throws -> LoadedExecutor {
        try #require(registry.executor(for: jobType))
    }

    @Test("a successful job returns the executor's result, logs and progress")
    func success() throws {
        let observer = RecordingObserver()
        let request = ExecutionRequest(
            jobID: "job-1", projectID: "proj-7", parameters: ["message": "hello", "progress_steps": 4], attempt: 3)
        let outcome = try executor("fixture_echo").run(request, observer: observer)
        #expect(outcome.status == .succeeded)
        #expect(outcome.message == nil)
        #expect(outcome.result == ["echo": "hello", "job_id": "job-1", "attempt": 3, "project_id": "proj-7"])
        #expect(observer.logs.map(\.1) == ["echo: hello"])
        #expect(observer.logs.map(\.0) == [.info])
        #expect(observer.progress.map(\.0) == [0.25, 0.5, 0.75, 1.0])
        #expect(observer.progress.last?.1 == "step 4 of 4")
    }

    @Test(
        "each failure status maps to its outcome with the plugin's reason",
        arguments: [
            ("retryable", ExecutionOutcome.Status.retryableFailure),
            ("permanent", .permanentFailure),
            ("invalid", .invalidInput),
        ])
    func failures(kind: String, expected: ExecutionOutcome.Status) throws {
        let outcome = try executor("fixture_echo").run(
            ExecutionRequest(jobID: "f", parameters: ["fail": .string(kind)]))
        #expect(outcome.status == expected)
        #expect(outcome.message == "requested \(kind) failure")
    }

    @Test("parameters that break the executor's schema never reach the plugin")
    func schemaViolation() throws {
        let observer = RecordingObserver()
        let outcome = try executor("fixture_echo").run(
            ExecutionRequest(jobID: "v", parameters: ["sleep_ms": -5, "colour": "red"]), observer: observer)
        #expect(outcome.status == .invalidInput)
        let message = try #require(outcome.message)
        #expect(message.hasPrefix("parameters rejected by fixture_echo 1.2.3's schema: "))
        #expect(message.contains("task_spec.parameters/sleep_ms: "))
        #expect(message.contains("colour"))
        #expect(observer.logs.isEmpty)
    }

    @Test("cancellation reaches a running executor through is_cancelled")
    func cancellation() throws {
        let token = CancellationToken()
        let executor = try executor("fixture_echo")
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) { token.cancel() }
        let outcome = executor.run(ExecutionRequest(jobID: "c", parameters: ["sleep_ms": 10_000]), cancellation: token)
        // Uncancelled, the job would succeed after 10 s: `.cancelled` is the proof.
        #expect(outcome.status == .cancelled)
    }

    @Test("a job past its timeout ends as timed out, not cancelled")
    func timeout() throws {
        let request = ExecutionRequest(jobID: "t", parameters: ["sleep_ms": 10_000], timeout: .milliseconds(150))
        let outcome = try executor("fixture_echo").run(request)
        #expect(outcome.status == .timedOut)
        #expect(outcome.message == "timed out after 0.15 s")
    }

    @Test("a job cancelled before it starts does not run")
    func cancelledBeforeStart() throws {
        let token = CancellationToken()
        token.cancel()
        let observer = RecordingObserver()
        let outcome = try executor("fixture_echo").run(
            ExecutionRequest(jobID: "early", parameters: ["message": "x"]), observer: observer, cancellation: token)
        #expect(outcome.status == .cancelled)
        #expect(observer.logs.isEmpty)
    }

    @Test("an invalid result JSON turns a claimed success into a permanent failure")
    func invalidResult() throws {
        let observer = RecordingObserver()
        let outcome = try executor("fixture_bad_result").run(ExecutionRequest(jobID: "b"), observer: observer)
        #expect(outcome.status == .permanentFailure)
        #expect(outcome.message?.contains("reported success but its result is not valid JSON") == true)
        #expect(observer.logs.map(\.1) == ["set_result rejected invalid JSON as expected"])
    }

    @Test("a status code outside the ABI is a permanent failure naming it")
    func unknownStatus() throws {
        let outcome = try executor("fixture_returns_garbage_status").run(ExecutionRequest(jobID: "g"))
        #expect(outcome.status == .permanentFailure)
        #expect(
            outcome.message
                == "fixture-bad-result 1.0.0 / fixture_returns_garbage_status 1.0.0 returned unknown status 77")
    }

    @Test("log lines beyond the per-job cap are dropped and counted")
    func logCap() throws {
        let capped = TestEnvironment.registry(
            [try TestEnvironment.fixture("good")], configuration: PluginHostConfiguration(maxLogBytesPerJob: 10))
        defer { capped.shutdown() }
        let observer = RecordingObserver()
        let executor = try #require(capped.executor(for: "fixture_echo"))
        let outcome = executor.run(
            ExecutionRequest(jobID: "l", parameters: ["message": "far too long for the cap"]), observer: observer)
        #expect(outcome.status == .succeeded)
        #expect(outcome.droppedLogLines == 1)
        #expect(observer.logs.isEmpty)
    }

    @Test("a job's scratch directory is made on first use, private to it, and removed afterwards")
    func scratchDirectory() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mimir-scratch-\(UUID().uuidString)")
            .path
        let scoped = TestEnvironment.registry(
            [try TestEnvironment.fixture("good")], configuration: PluginHostConfiguration(scratchRoot: root))
        defer { scoped.shutdown() }
        let executor = try #require(scoped.executor(for: "fixture_echo"))

        let untouched = executor.run(ExecutionRequest(jobID: "no-scratch"))
        #expect(untouched.status == .succeeded)
        #expect(!FileManager.default.fileExists(atPath: root), "a job that never asked made a directory")

        let first = executor.run(ExecutionRequest(jobID: "../../etc/passwd", parameters: ["use_scratch": true]))
        let second = executor.run(ExecutionRequest(jobID: "job-2", parameters: ["use_scratch": true]))
        #expect(first.status == .succeeded && second.status == .succeeded, "\(first) \(second)")
        let firstPath = try #require(first.result?["scratch_dir"]?.stringValue)
        let secondPath = try #require(second.result?["scratch_dir"]?.stringValue)
        #expect(firstPath.hasPrefix(root + "/"))
        #expect(!firstPath.dropFirst(root.count + 1).contains("/"), "the job id must not steer the path: \(firstPath)")
        #expect(firstPath != secondPath)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty)
    }

    @Test("scratch directories of dead workers are swept when a registry loads; live ones stay")
    func abandonedScratchIsSwept() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mimir-scratch-\(UUID().uuidString)")
            .path
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let abandoned = "\(root)/\(dead.processIdentifier)-job-1-abcdef"
        let live = "\(root)/\(getpid())-job-2-abcdef"
        for directory in [abandoned, live] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "x".write(toFile: "\(directory)/leftover", atomically: true, encoding: .utf8)
        }
        let registry = TestEnvironment.registry(
            [try TestEnvironment.fixture("good")], configuration: PluginHostConfiguration(scratchRoot: root))
        defer { registry.shutdown() }
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: "\(live)/leftover"))
    }

    @Test("after shutdown no new job starts, and the answer says why")
    func shutdownStopsNewJobs() throws {
        let local = TestEnvironment.registry([try TestEnvironment.fixture("good")])
        let executor = try #require(local.executor(for: "fixture_echo"))
        local.shutdown()
        let outcome = executor.run(ExecutionRequest(jobID: "late"))
        #expect(outcome.status == .retryableFailure)
        #expect(outcome.message?.hasSuffix("plugin is shutting down") == true)
    }

    @Test("shutdown waits for a running job, which still finishes")
    func shutdownWaitsForRunningJob() throws {
        let local = TestEnvironment.registry([try TestEnvironment.fixture("good")])
        let executor = try #require(local.executor(for: "fixture_echo"))
        let outcome = Mutex<ExecutionOutcome?>(nil)
        let finished = DispatchSemaphore(value: 0)
        // The shutdown comes once the job has begun, however late its thread is scheduled.
        let started = FileManager.default.temporaryDirectory.appendingPathComponent("started-\(UUID().uuidString)").path
        defer { unlink(started) }
        Thread {
            outcome.withLock {
                $0 = executor.run(
                    ExecutionRequest(
                        jobID: "long",
                        parameters: ["sleep_ms": 200, "message": "done", "started_file": .string(started)]))
            }
            finished.signal()
        }.start()
        for _ in 0..<6000 where !FileManager.default.fileExists(atPath: started) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        local.shutdown()
        finished.wait()
        #expect(outcome.withLock { $0?.result?["echo"] } == "done")
    }
}

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("a concurrent-unsafe executor is never entered twice at once, from 16 threads")
    func serialExecutorIsSerialised() throws {
        let registry = TestEnvironment.registry([try TestEnvironment.fixture("good")])
        defer { registry.shutdown() }
        let executor = try #require(registry.executor(for: "fixture_serial"))
        let outcomes = Mutex<[ExecutionOutcome]>([])
        onThreads(16) { thread in
            for job in 0..<5 {
                let outcome = executor.run(ExecutionRequest(jobID: "s-\(thread)-\(job)", parameters: ["sleep_ms": 2]))
                outcomes.withLock { $0.append(outcome) }
            }
        }
        let all = outcomes.withLock { $0 }
        #expect(all.count == 80)
        #expect(all.allSatisfy { $0.status == .succeeded })
        #expect(all.compactMap { $0.result?["max_in_flight"]?.int64Value }.max() == 1)
        #expect(all.compactMap { $0.result?["entered"]?.int64Value }.max() == 80)
    }

    @Test("a concurrent executor really runs in parallel")
    func concurrentExecutorOverlaps() throws {
        let registry = TestEnvironment.registry([try TestEnvironment.fixture("concurrent_probe")])
        defer { registry.shutdown() }
        let executor = try #require(registry.executor(for: "fixture_probe"))
        let maximum = Atomic<Int64>(0)
        onThreads(8) { thread in
            let outcome = executor.run(ExecutionRequest(jobID: "p-\(thread)", parameters: ["sleep_ms": 200]))
            if let seen = outcome.result?["max_in_flight"]?.int64Value { _ = maximum.max(seen, ordering: .relaxed) }
        }
        #expect(maximum.load(ordering: .relaxed) > 1)
    }

    @Test("Swift and C plugins take many concurrent jobs from many threads without a failure")
    func mixedPluginsUnderLoad() throws {
        let registry = TestEnvironment.registry(
            [
                TestEnvironment.product("libMimirNoop.so"), try TestEnvironment.examplePlugin(),
                try TestEnvironment.fixture("good"),
            ])
        defer { registry.shutdown() }
        let noop = try #require(registry.executor(for: "noop"))
        let stats = try #require(registry.executor(for: "text_stats"))
        let echo = try #require(registry.executor(for: "fixture_echo"))
        let failures = Mutex<[String]>([])
        onThreads(16) { thread in
            for job in 0..<200 {
                let id = "m-\(thread)-\(job)"
                let checks: [(LoadedExecutor, ExecutionRequest, (JSONValue?) -> Bool)] = [
                    (noop, ExecutionRequest(jobID: id), { $0 == [:] }),
                    (
                        stats, ExecutionRequest(jobID: id, parameters: ["text": .string("a b a \(thread)")]),
                        { $0?["words"] == 4 }
                    ),
                    (
                        echo, ExecutionRequest(jobID: id, parameters: ["message": .string(id)]),
                        { $0?["echo"] == .string(id) }
                    ),
                ]
                for (executor, request, isExpected) in checks {
                    let outcome = executor.run(request)
                    if outcome.status != .succeeded || !isExpected(outcome.result) {
                        failures.withLock { $0.append("\(id) \(executor.manifest.jobType): \(outcome)") }
                    }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
    }
}
