import MimirCore
import MimirOrchestrator
import Testing

@Suite("Configuration from the environment")
struct ConfigurationSourcesTests {
    static func sources(_ variables: [String: String]) -> ConfigurationSources {
        ConfigurationSources(environment: { variables[$0] })
    }

    @Test("a node selector is key=value pairs; a malformed pair is named")
    func nodeSelector() {
        var sources = Self.sources(["SELECT": "gpu=true, zone = b", "BAD": "gpu"])
        #expect(sources.keyValues("SELECT", [:]) == ["gpu": "true", "zone": "b"])
        #expect(sources.keyValues("UNSET", ["a": "b"]) == ["a": "b"])
        #expect(sources.keyValues("BAD", [:]).isEmpty)
        #expect(sources.errors == [#"BAD must be key=value pairs separated by commas, got "gpu""#])
    }

    @Test("tolerations are a JSON array of objects; anything else is named")
    func tolerations() {
        var sources = Self.sources([
            "GOOD": #"[{"key": "nvidia.com/gpu", "operator": "Exists"}]"#, "NOT_ARRAY": #"{"key": 1}"#,
            "NOT_JSON": "[{",
        ])
        #expect(sources.objectArray("GOOD", []) == [["key": "nvidia.com/gpu", "operator": "Exists"]])
        #expect(sources.objectArray("NOT_ARRAY", []).isEmpty)
        #expect(sources.objectArray("NOT_JSON", []).isEmpty)
        #expect(sources.errors.count == 2)
        #expect(sources.errors.allSatisfy { $0.contains("must be a JSON array of objects") })
    }

    @Test("an unknown image pull policy is a configuration problem")
    func pullPolicy() {
        var configuration = OrchestratorConfiguration()
        configuration.scaling.kubernetes.imagePullPolicy = "Sometimes"
        #expect(configuration.problems().contains { $0.contains("KUBE_IMAGE_PULL_POLICY must be Always") })
        configuration.scaling.kubernetes.imagePullPolicy = "Never"
        #expect(!configuration.problems().contains { $0.contains("KUBE_IMAGE_PULL_POLICY") })
    }
}
