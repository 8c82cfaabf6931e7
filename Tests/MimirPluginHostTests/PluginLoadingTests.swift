import Foundation
import MimirCore
import MimirPluginHost
import Testing

@Suite("Loading real plugins")
struct PluginLoadingTests {
    @Test("the four Swift plugins and the C example load together with their exact descriptors")
    func allPluginsLoadTogether() throws {
        let files = TestEnvironment.swiftPlugins.map(TestEnvironment.product) + [try TestEnvironment.examplePlugin()]
        let registry = try ExecutorRegistry.load(
            directory: try TestEnvironment.pluginDirectory(files), configuration: PluginHostConfiguration(),
            logger: TestEnvironment.quietLogger())
        defer { registry.shutdown() }

        #expect(registry.refusals.isEmpty, "\(registry.refusals)")
        #expect(registry.conflicts.isEmpty)
        #expect(
            registry.jobTypes == [
                "digital_twin_update", "ml_inference", "ml_training", "pipeline_execution", "text_stats",
            ])

        let byName = Dictionary(uniqueKeysWithValues: registry.plugins.map { ($0.manifest.name, $0.manifest) })
        #expect(
            byName.keys.sorted() == [
                "DigitalTwinUpdate", "MLInference", "MLTraining", "PipelineExecution", "text-stats",
            ])
        for name in ["DigitalTwinUpdate", "MLInference", "MLTraining", "PipelineExecution"] {
            let manifest = try #require(byName[name])
            #expect(manifest.version == SemanticVersion("1.0.0"))
            #expect(manifest.abiVersion == ABIVersion(major: 1, minor: 0))
            #expect(manifest.buildInfo?.hasPrefix("MimirPluginSDK 1.0.0") == true)
            #expect(manifest.executors.count == 1)
        }

        let pipeline = try #require(byName["PipelineExecution"]?.executors.first)
        #expect(pipeline.jobType == "pipeline_execution")
        #expect(pipeline.version == SemanticVersion("1.0.0"))
        #expect(pipeline.concurrent && !pipeline.needsGPU)
        #expect(pipeline.memoryHintBytes == 256 << 20)
        #expect(pipeline.parametersSchema["properties"]?["row_error_policy"]?["enum"] == ["fail", "skip"])
        #expect(pipeline.parametersSchema["additionalProperties"] == false)

        let training = try #require(byName["MLTraining"]?.executors.first)
        #expect(training.jobType == "ml_training")
        #expect(training.memoryHintBytes == 1 << 30)
        #expect(training.parametersSchema["required"] == ["task"])

        let inference = try #require(byName["MLInference"]?.executors.first)
        #expect(inference.jobType == "ml_inference")
        #expect(inference.parametersSchema["properties"]?["include_probabilities"]?["type"] == "boolean")

        let twin = try #require(byName["DigitalTwinUpdate"]?.executors.first)
        #expect(twin.jobType == "digital_twin_update")
        #expect(twin.parametersSchema["required"] == ["twin_id"])

        let example = try #require(byName["text-stats"])
        #expect(example.version == SemanticVersion("1.0.0"))
        let textStats = try #require(example.executors.first)
        #expect(textStats.jobType == "text_stats")
        #expect(textStats.version == SemanticVersion("1.0.0"))
        #expect(textStats.concurrent)
        #expect(textStats.parametersSchema["required"] == ["text"])
    }

    @Test("a descriptor read twice from the same file is identical")
    func descriptorIsStable() throws {
        let path = TestEnvironment.product("libMLTraining.so")
        let first = try PluginFile.open(path)
        let second = try PluginFile.open(path)
        #expect(first.manifest == second.manifest)
    }

    @Test("the fixture plugin's two executors are read field by field")
    func fixtureDescriptorFields() throws {
        let file = try PluginFile.open(try TestEnvironment.fixture("good"))
        #expect(file.manifest.name == "fixture-good")
        #expect(file.manifest.version == SemanticVersion("2.1.0"))
        #expect(file.manifest.executors.map(\.jobType) == ["fixture_echo", "fixture_serial"])
        #expect(file.manifest.executors.map(\.version) == [SemanticVersion("1.2.3"), SemanticVersion("0.3.0")])
        #expect(file.manifest.executors.map(\.concurrent) == [true, false])
        let echoSchema = file.manifest.executors[0].parametersSchema
        #expect(echoSchema["properties"]?["fail"]?["enum"] == ["retryable", "permanent", "invalid"])
    }
}
