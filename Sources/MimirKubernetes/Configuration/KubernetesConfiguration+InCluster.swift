import MimirCore

extension KubernetesConfiguration {
    /// Where Kubernetes mounts a pod's service-account token, CA and namespace.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The pod's own service account, as every in-cluster client finds it: the API server from
    /// `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`, the token (read again when rotated), CA
    /// and namespace from the mounted files. `namespace` overrides the mounted one.
    public static func inCluster(
        environment: (String) -> String? = Environment.value, directory: String = serviceAccountDirectory,
        namespace: String? = nil
    ) throws(KubernetesConfigurationError) -> KubernetesConfiguration {
        guard let host = environment("KUBERNETES_SERVICE_HOST"), !host.isEmpty else {
            throw KubernetesConfigurationError(
                key: "KUBERNETES_SERVICE_HOST", message: "not set: this process is not running in a Kubernetes pod")
        }
        let port = environment("KUBERNETES_SERVICE_PORT").flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        // An IPv6 service address needs brackets in a URL.
        let authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let tokenFile = "\(directory)/token"
        let caFile = "\(directory)/ca.crt"
        for (file, what) in [(tokenFile, "token"), (caFile, "CA certificate")] where !LocalFiles.exists(file) {
            throw KubernetesConfigurationError(
                file: file, message: "the service account \(what) is missing (is automountServiceAccountToken off?)")
        }
        let resolvedNamespace: String
        if let namespace {
            resolvedNamespace = namespace
        } else {
            let file = "\(directory)/namespace"
            do {
                resolvedNamespace = try LocalFiles.readText(file).trimmingWhitespace
            } catch {
                throw KubernetesConfigurationError(file: file, message: error.message)
            }
        }
        return KubernetesConfiguration(
            server: "https://\(authority)", caFile: caFile, credentials: .tokenFile(tokenFile),
            namespace: resolvedNamespace)
    }
}
