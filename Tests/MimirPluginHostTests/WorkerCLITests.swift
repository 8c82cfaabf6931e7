import Foundation
import MimirCore
import Testing

/// The real `mimir-worker` binary, run as a child process.
@Suite("mimir-worker command line")
struct WorkerCLITests {
    let worker = TestEnvironment.product("mimir-worker")

    func pluginDirectory() throws -> String {
        try TestEnvironment.pluginDirectory(
            TestEnvironment.swiftPlugins.map(TestEnvironment.product) + [try TestEnvironment.examplePlugin()])
    }

    @Test("inspect prints a valid plugin's descriptor as JSON")
    func inspectGood() throws {
        let result = try Command.run(worker, ["inspect", try TestEnvironment.examplePlugin()]).check()
        let document = try JSONValue.parse(result.output)
        #expect(document["name"] == "text-stats")
        #expect(document["abi"] == "1.0")
        #expect(document["executors"]?.arrayValue?.first?["job_type"] == "text_stats")
        #expect(document["executors"]?.arrayValue?.first?["parameters_schema"]?["required"] == ["text"])
    }

    @Test("inspect takes a bare file name as a file in the current directory")
    func inspectBareName() throws {
        let example = try TestEnvironment.examplePlugin()
        let directory = URL(fileURLWithPath: example).deletingLastPathComponent().path
        let result = try Command.run("/bin/sh", ["-c", "cd '\(directory)' && '\(worker)' inspect libtext_stats.so"])
            .check()
        #expect(try JSONValue.parse(result.output)["name"] == "text-stats")
    }

    @Test("a failure while running is an error with exit status 1, not a usage message")
    func runtimeFailureIsNotUsage() throws {
        let result = try Command.run(worker, ["plugins", "--plugin-dir", "/nonexistent/plugins"])
        #expect(result.status == 1)
        #expect(result.error == "Error: plugin directory /nonexistent/plugins does not exist\n")
    }

    @Test("inspect exits non-zero with the reason for a refused file")
    func inspectBad() throws {
        let path = try TestEnvironment.fixture("abi_major")
        let result = try Command.run(worker, ["inspect", path])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(
            result.error
                == "mimir-worker: \(path): refused: plugin ABI major 2 is not spoken by this host (host ABI major 1); rebuild the plugin against ABI 1.x\n"
        )
    }

    @Test("plugins lists what loaded, as a table and as JSON, and --strict fails on refusals")
    func pluginsListing() throws {
        let directory = try pluginDirectory()
        let table = try Command.run(worker, ["plugins", "--plugin-dir", directory]).check()
        #expect(table.output.contains("PipelineExecution"))
        #expect(table.output.contains("text_stats"))
        let json = try Command.run(worker, ["plugins", "--json"], environment: ["MIMIR_PLUGIN_DIR": directory]).check()
        let report = try JSONValue.parse(json.output)
        #expect(report["plugins"]?.arrayValue?.count == 5)
        #expect(report["refused"] == [])

        try FileManager.default.createSymbolicLink(
            atPath: "\(directory)/libbad.so", withDestinationPath: try TestEnvironment.fixture("bad_magic"))
        let strict = try Command.run(worker, ["plugins", "--plugin-dir", directory, "--strict"])
        #expect(strict.status == 1)
        #expect(strict.output.contains("refused: \(directory)/libbad.so: bad descriptor magic 0xDEADBEEF"))
    }

    @Test("run executes a job through the registry and prints the outcome JSON")
    func runJob() throws {
        let job = #"{"type": "text_stats", "task_spec": {"parameters": {"text": "the cat and the hat", "top": 1}}}"#
        let result = try Command.run(worker, ["run", "--plugin-dir", try pluginDirectory(), "--job", "-"], input: job)
            .check()
        let outcome = try JSONValue.parse(result.output)
        #expect(outcome["status"] == "succeeded")
        #expect(outcome["type"] == "text_stats")
        #expect(outcome["result"]?["words"] == 5)
        #expect(outcome["result"]?["top_words"] == [["word": "the", "count": 2]])
        #expect(result.error.contains("running text_stats job local-"))
    }

    @Test("run reports a failed job with exit status 1 and its reason")
    func runFailure() throws {
        let job = #"{"task_spec": {"parameters": {"task": "regression", "target": "y"}}}"#
        let result = try Command.run(
            worker, ["run", "--plugin-dir", try pluginDirectory(), "--type", "ml_training", "--job", "-"], input: job)
        #expect(result.status == 1)
        let outcome = try JSONValue.parse(result.output)
        #expect(outcome["status"] == "invalid_input")
        #expect(outcome["message"] == "task_spec.model_id is required: the model to train (a new version of it)")
    }

    @Test(
        "run refuses bad job files with a clear message",
        arguments: [
            (
                #"{"type": "nope"}"#,
                "no executor for job type \"nope\" in the plugin directory (available: digital_twin_update, ml_inference, ml_training, pipeline_execution, text_stats)"
            ),
            (#"{"type": "text_stats", "priority": "high"}"#, "priority: expected an integer"),
            (#"{"type": "text_stats",}"#, "not valid JSON"),
            (#"[1]"#, "a job document must be a JSON object, got array"),
            (#"{"task_spec": {}}"#, "no job type: give \"type\" in the file or --type"),
        ])
    func runBadJob(job: String, expected: String) throws {
        let result = try Command.run(worker, ["run", "--plugin-dir", try pluginDirectory(), "--job", "-"], input: job)
        #expect(result.status != 0)
        #expect(result.error.contains(expected), "\(result.error)")
    }

    @Test("a missing plugin directory is reported, not a crash")
    func missingPluginDirectory() throws {
        let result = try Command.run(worker, ["plugins"], environment: ["MIMIR_PLUGIN_DIR": ""])
        #expect(result.status != 0)
        #expect(result.error.contains("no plugin directory: pass --plugin-dir DIR or set MIMIR_PLUGIN_DIR"))
    }

    @Test(
        "bad settings are refused, naming the setting and the value, never replaced by the default",
        arguments: [
            (["--prefetch", "0"], [String: String](), "--prefetch must be at least 1, got 0"),
            (["--short-job-ms", "0"], [:], "--short-job-ms must be above 0, got 0.0"),
            ([], ["MIMIR_WORKER_PREFETCH": "lots"], "MIMIR_WORKER_PREFETCH must be an integer, got \"lots\""),
            ([], ["MIMIR_WORKER_SLOTS": "four"], "MIMIR_WORKER_SLOTS must be an integer, got \"four\""),
            ([], ["LEASE_SECONDS": "15s"], "LEASE_SECONDS must be a number, got \"15s\""),
            ([], ["MIMIR_WORKER_IDLE_TIMEOUT": "1m"], "MIMIR_WORKER_IDLE_TIMEOUT must be a number, got \"1m\""),
            ([], ["MIMIR_WORKER_GPUS": "all"], "MIMIR_WORKER_GPUS must be an integer, got \"all\""),
            ([], ["MAX_CRASHES": "x"], "MAX_CRASHES must be an integer, got \"x\""),
            (
                [], ["MIMIR_MAX_EXECUTOR_MEMORY_MB": "1G"],
                "MIMIR_MAX_EXECUTOR_MEMORY_MB must be an integer, got \"1G\""
            ),
        ])
    func badSetting(flags: [String], environment: [String: String], expected: String) throws {
        let result = try Command.run(
            worker, ["serve", "--plugin-dir", try pluginDirectory(), "--redis-url", "redis://127.0.0.1:1"] + flags,
            environment: environment)
        #expect(result.status != 0)
        #expect(result.error.contains(expected), "\(result.error)")
    }

    @Test("an unreadable worker token file is named with the system's reason")
    func unreadableTokenFile() throws {
        let result = try Command.run(
            worker, ["serve", "--plugin-dir", try pluginDirectory(), "--redis-url", "redis://127.0.0.1:1"],
            environment: ["MIMIR_WORKER_TOKEN": "", "MIMIR_WORKER_TOKEN_FILE": "/nonexistent/worker-token"])
        #expect(result.status != 0)
        #expect(
            result.error.contains(
                "MIMIR_WORKER_TOKEN_FILE /nonexistent/worker-token cannot be read: No such file or directory"),
            "\(result.error)")
    }
}
