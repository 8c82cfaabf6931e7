import MimirOrchestrator
import Testing

@Suite("Orchestrator configuration")
struct OrchestratorConfigurationTests {
    @Test("an unknown image pull policy is a configuration problem")
    func pullPolicy() {
        var configuration = OrchestratorConfiguration()
        configuration.scaling.kubernetes.imagePullPolicy = "Sometimes"
        #expect(configuration.problems().contains { $0.contains("KUBE_IMAGE_PULL_POLICY must be Always") })
        configuration.scaling.kubernetes.imagePullPolicy = "Never"
        #expect(!configuration.problems().contains { $0.contains("KUBE_IMAGE_PULL_POLICY") })
    }
}
