import MimirCore

extension KubernetesConfiguration {
    /// In-cluster when `KUBERNETES_SERVICE_HOST` is set, else the kubeconfig named by `KUBECONFIG`
    /// (its first file) or `~/.kube/config`: the order kubectl and client-go follow.
    public static func automatic(
        environment: (String) -> String? = Environment.value, namespace: String? = nil
    ) throws(KubernetesConfigurationError) -> KubernetesConfiguration {
        if let host = environment("KUBERNETES_SERVICE_HOST"), !host.isEmpty {
            return try inCluster(environment: environment, namespace: namespace)
        }
        let path: String
        if let list = environment("KUBECONFIG"), let first = list.split(separator: ":").first {
            path = String(first)
        } else if let home = environment("HOME") {
            path = "\(home)/.kube/config"
        } else {
            throw KubernetesConfigurationError(
                key: "KUBECONFIG", message: "not in a pod, and neither KUBECONFIG nor HOME is set")
        }
        return try Kubeconfig.load(path: path, namespace: namespace)
    }
}
