/// How `https` connections verify the server and, optionally, identify the client.
public struct TLSOptions: Sendable, Hashable {
    /// A PEM file of the certificate authorities to trust instead of the system's bundle (for
    /// example a Kubernetes service account's `ca.crt`). `nil` trusts the system's bundle.
    public var caFile: String?
    /// A PEM client certificate for mutual TLS; `clientKey` is then its PEM private key (or `nil`
    /// when the key is in the same file).
    public var clientCertificate: String?
    public var clientKey: String?
    /// Accept any server certificate and any host name. DANGER: this turns TLS into encryption
    /// against passive eavesdroppers only; anyone on the path can impersonate the server and read or
    /// alter everything, bearer tokens included. Only for local experiments, never in production.
    public var insecureSkipVerify: Bool

    public init(
        caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil,
        insecureSkipVerify: Bool = false
    ) {
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
    }
}
