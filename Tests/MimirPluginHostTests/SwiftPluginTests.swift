import Foundation
import MimirCore
import MimirPluginHost
import Testing

@Suite("Swift plugins through the SDK")
struct SwiftPluginTests {
    /// A storage root of their own, so the executors never write into the working directory.
    static let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "mimir-sdk-tests-\(UUID().uuidString)"
    ).path
    static let registry = TestEnvironment.registry(
        TestEnvironment.swiftPlugins.map(TestEnvironment.product) + [TestEnvironment.product("libMimirNoop.so")],
        configuration: PluginHostConfiguration(dataDirectory: dataDirectory))

    struct IncompleteJob: Sendable, CustomTestStringConvertible {
        let jobType: String
        let parameters: JSONValue
        /// How the refusal's message starts.
        let expected: String
        var testDescription: String { jobType }
    }

    @Test(
        "incomplete jobs are the input's fault, each refusal naming what is missing — never a fake success",
        arguments: [
            IncompleteJob(
                jobType: "pipeline_execution", parameters: ["steps": [["kind": "source"]]],
                expected: "parameters: steps[0].dataset: required"),
            IncompleteJob(
                jobType: "ml_training", parameters: ["task": "clustering"],
                expected: "task_spec.model_id is required: the model to train (a new version of it)"),
        ])
    func incompleteInput(job: IncompleteJob) throws {
        let executor = try #require(Self.registry.executor(for: job.jobType))
        let outcome = executor.run(ExecutionRequest(jobID: "n", parameters: job.parameters))
        #expect(outcome.status == .invalidInput)
        #expect(outcome.message?.hasPrefix(job.expected) == true, "\(outcome.message ?? "")")
        #expect(outcome.result == nil)
    }

    @Test("inference without a model id is the input's fault, named")
    func inferenceNeedsModel() throws {
        let executor = try #require(Self.registry.executor(for: "ml_inference"))
        let outcome = executor.run(ExecutionRequest(jobID: "i"))
        #expect(outcome.status == .invalidInput)
        #expect(outcome.message == "task_spec.model_id is required: which model to predict with")

        let withModel = ExecutionRequest(
            jobID: "i2", spec: JobSpec(type: "ml_inference", taskSpec: TaskSpec(modelID: "iris")))
        let missing = executor.run(withModel)
        #expect(missing.status == .invalidInput)
        #expect(missing.message?.hasPrefix("model not found: no model \"iris\"") == true, "\(missing.message ?? "")")
    }

    @Test("a pipeline with neither steps nor a pipeline id is refused before anything runs")
    func pipelineNeedsDefinition() throws {
        let executor = try #require(Self.registry.executor(for: "pipeline_execution"))
        let outcome = executor.run(ExecutionRequest(jobID: "p"))
        #expect(outcome.status == .invalidInput)
        #expect(outcome.message?.contains("parameters.steps or by task_spec.pipeline_id") == true)
    }

    @Test("the SDK's schemas are enforced by the host")
    func schemaEnforced() throws {
        let executor = try #require(Self.registry.executor(for: "ml_training"))
        let outcome = executor.run(ExecutionRequest(jobID: "s", parameters: ["task": "astrology", "seed": "x"]))
        #expect(outcome.status == .invalidInput)
        #expect(outcome.message?.contains("task_spec.parameters/task: ") == true)
        #expect(outcome.message?.contains("task_spec.parameters/seed: ") == true)
    }

    @Test("the no-op Swift executor succeeds with an empty result")
    func noop() throws {
        let outcome = try #require(Self.registry.executor(for: "noop")).run(ExecutionRequest(jobID: "noop"))
        #expect(outcome.status == .succeeded)
        #expect(outcome.result == [:])
    }
}
