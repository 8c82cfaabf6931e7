/// Where the API server is, how to trust it and who to be there: everything a `KubernetesClient`
/// needs, whichever way it was found (in-cluster service account, kubeconfig, explicit files).
public struct KubernetesConfiguration: Sendable, Hashable {
    /// `https://host:port`, without a trailing slash.
    public var server: String
    /// PEM file of the CAs that sign the API server's certificate; `nil` trusts the system's.
    public var caFile: String?
    /// Accept any server certificate (kubeconfig's `insecure-skip-tls-verify`). Never in production.
    public var insecureSkipVerify: Bool
    public var credentials: KubernetesCredentials
    /// The namespace Jobs are created in and read from.
    public var namespace: String
    /// Limit for one API request, connecting included.
    public var requestTimeout: Duration

    public init(
        server: String, caFile: String? = nil, insecureSkipVerify: Bool = false,
        credentials: KubernetesCredentials, namespace: String, requestTimeout: Duration = .seconds(30)
    ) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
        self.credentials = credentials
        self.namespace = namespace
        self.requestTimeout = requestTimeout
    }

    /// An explicit server, token file and CA file (tests, or a token mounted somewhere unusual).
    public static func explicit(server: String, tokenFile: String, caFile: String, namespace: String)
        -> KubernetesConfiguration
    {
        KubernetesConfiguration(
            server: server, caFile: caFile, credentials: .tokenFile(tokenFile), namespace: namespace)
    }
}
