import MimirCore
import MimirPluginHost
import Testing

@Suite("Swift plugins through the SDK")
struct SwiftPluginTests {
    static let registry = TestEnvironment.registry(
        TestEnvironment.swiftPlugins.map(TestEnvironment.product) + [TestEnvironment.product("libMimirNoop.so")])

    struct ValidJob: Sendable, CustomTestStringConvertible {
        let jobType: String
        let parameters: JSONValue
        let plugin: String
        var testDescription: String { jobType }
    }

    @Test(
        "the executors without their real work yet fail honestly as not implemented — never a fake success",
        arguments: [
            ValidJob(
                jobType: "pipeline_execution", parameters: ["steps": [["kind": "source"]]], plugin: "PipelineExecution"),
            ValidJob(jobType: "ml_training", parameters: ["task": "clustering"], plugin: "MLTraining"),
            ValidJob(jobType: "digital_twin_update", parameters: ["twin_id": "plant-1"], plugin: "DigitalTwinUpdate"),
        ])
    func notImplemented(job: ValidJob) throws {
        let executor = try #require(Self.registry.executor(for: job.jobType))
        let outcome = executor.run(ExecutionRequest(jobID: "n", parameters: job.parameters))
        #expect(outcome.status == .permanentFailure)
        #expect(outcome.message == "\(job.jobType) is not implemented in \(job.plugin) 0.1.0")
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
        #expect(executor.run(withModel).message == "ml_inference is not implemented in MLInference 0.1.0")
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
