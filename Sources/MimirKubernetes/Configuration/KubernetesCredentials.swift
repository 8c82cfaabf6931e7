/// How requests prove who sends them.
public enum KubernetesCredentials: Sendable, Hashable {
    case none
    /// A fixed bearer token (kubeconfig `token:`).
    case token(String)
    /// A bearer token read from a file and read again whenever the file changes: projected
    /// service-account tokens are rotated by the kubelet about every hour.
    case tokenFile(String)
    /// Mutual TLS with a PEM certificate and key.
    case clientCertificate(certificateFile: String, keyFile: String)
}
