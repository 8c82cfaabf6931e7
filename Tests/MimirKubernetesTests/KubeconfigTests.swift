import Foundation
import MimirCore
import MimirKubernetes
import Testing

@Suite struct KubeconfigTests {
    static let ca = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
    static let certificate = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n"
    static let key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIfake\n-----END EC PRIVATE KEY-----\n"

    static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }

    @Test func tokenUserWithCAFileRelativeToTheKubeconfig() throws {
        let directory = try temporaryDirectory()
        try Self.ca.write(toFile: "\(directory)/ca.crt", atomically: true, encoding: .utf8)
        let yaml = """
            apiVersion: v1
            kind: Config
            # kubectl writes lists at their key's indentation
            clusters:
            - cluster:
                certificate-authority: ca.crt
                server: https://10.0.0.1:6443
              name: prod
            contexts:
            - context:
                cluster: prod
                user: "orchestrator"   # quoted
                namespace: mimir
              name: prod-mimir
            current-context: prod-mimir
            preferences: {}
            users:
            - name: orchestrator
              user:
                token: 'abc.def-ghi'
            """
        let configuration = try Kubeconfig.parse(yaml, path: "\(directory)/config")
        #expect(configuration.server == "https://10.0.0.1:6443")
        #expect(configuration.caFile == "\(directory)/ca.crt")
        #expect(configuration.credentials == .token("abc.def-ghi"))
        #expect(configuration.namespace == "mimir")
        #expect(!configuration.insecureSkipVerify)
    }

    @Test func clientCertificateDataAndEmbeddedCADataGoToPrivateFiles() throws {
        let yaml = """
            apiVersion: v1
            clusters:
              - name: kind
                cluster:
                  server: "https://127.0.0.1:40123/"
                  certificate-authority-data: \(Self.base64(Self.ca))
            contexts:
              - name: kind
                context: {cluster: kind, user: admin}
            current-context: kind
            users:
              - name: admin
                user:
                  client-certificate-data: \(Self.base64(Self.certificate))
                  client-key-data: \(Self.base64(Self.key))
            """
        let configuration = try Kubeconfig.parse(yaml, path: "/nowhere/config")
        #expect(configuration.server == "https://127.0.0.1:40123")
        #expect(configuration.namespace == "default")
        let caFile = try #require(configuration.caFile)
        #expect(try String(contentsOfFile: caFile, encoding: .utf8) == Self.ca)
        guard case .clientCertificate(let certificateFile, let keyFile) = configuration.credentials else {
            Issue.record("expected a client certificate, got \(configuration.credentials)")
            return
        }
        #expect(try String(contentsOfFile: certificateFile, encoding: .utf8) == Self.certificate)
        #expect(try String(contentsOfFile: keyFile, encoding: .utf8) == Self.key)
        for file in [caFile, certificateFile, keyFile] {
            let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(permissions == 0o600, "\(file)")
        }
    }

    @Test func jsonFromKubectlConfigViewIsAcceptedToo() throws {
        let json = """
            {"kind": "Config", "apiVersion": "v1", "current-context": "c",
             "clusters": [{"name": "k", "cluster": {"server": "https://k:443", "insecure-skip-tls-verify": true}}],
             "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u", "namespace": "jobs"}}],
             "users": [{"name": "u", "user": {"tokenFile": "/var/run/token"}}]}
            """
        let configuration = try Kubeconfig.parse(json, path: "config.json")
        #expect(configuration.insecureSkipVerify)
        #expect(configuration.credentials == .tokenFile("/var/run/token"))
        #expect(configuration.namespace == "jobs")
    }

    @Test func contextAndNamespaceOverrides() throws {
        let yaml = """
            current-context: a
            clusters:
            - {name: one, cluster: {server: "https://one"}}
            - {name: two, cluster: {server: "https://two"}}
            contexts:
            - {name: a, context: {cluster: one, user: u}}
            - {name: b, context: {cluster: two, user: u}}
            users:
            - {name: u, user: {token: t}}
            """
        #expect(try Kubeconfig.parse(yaml, path: "c").server == "https://one")
        let other = try Kubeconfig.parse(yaml, path: "c", context: "b", namespace: "n")
        #expect(other.server == "https://two")
        #expect(other.namespace == "n")
    }

    @Test(
        arguments: [
            (
                "clusters: []\ncontexts: []\nusers: []\n", "current-context",
                "/etc/k/config: current-context: missing: name a context (kubectl config use-context NAME)"
            ),
            (
                "current-context: x\ncontexts:\n- name: y\n  context: {cluster: c, user: u}\n", "contexts[x]",
                "/etc/k/config: contexts[x]: no entry named \"x\" (entries: y)"
            ),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n"
                    + "  cluster: {server: 'https://s'}\nusers:\n- name: u\n  user:\n    client-key-data: '%%%'\n",
                "users[u].user.client-key-data", "/etc/k/config: users[u].user.client-key-data: not valid base64"
            ),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n"
                    + "  cluster: {}\nusers: []\n",
                "clusters[c].cluster.server", "/etc/k/config: clusters[c].cluster.server: missing"
            ),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n"
                    + "  cluster: {server: 'https://s'}\nusers:\n- name: u\n  user:\n    exec:\n      command: aws\n",
                "users[u].user.exec", nil
            ),
            (
                "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n"
                    + "  cluster: {server: 'https://s', certificate-authority: /no/such/ca.crt}\nusers: []\n",
                "clusters[c].cluster.certificate-authority", nil
            ),
        ] as [(String, String, String?)])
    func errorsNameTheFileAndTheKey(yaml: String, key: String, message: String?) {
        do {
            let configuration = try Kubeconfig.parse(yaml, path: "/etc/k/config")
            Issue.record("expected an error naming \(key), got \(configuration)")
        } catch {
            #expect(error.file == "/etc/k/config")
            #expect(error.key == key)
            if let message { #expect(error.description == message) }
        }
    }

    @Test func yamlErrorsNameTheFileAndTheLine() {
        do {
            _ = try Kubeconfig.parse("clusters:\n  - name: a\n\tcluster: {}\n", path: "/k/config")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description == "/k/config: invalid kubeconfig YAML: line 3: tabs cannot indent YAML; use spaces")
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: KubernetesConfigurationError.self) {
            try Kubeconfig.load(path: "/no/such/kubeconfig")
        }
    }

    @Test func inClusterReadsTheServiceAccountFiles() throws {
        let directory = try temporaryDirectory()
        try "token-1\n".write(toFile: "\(directory)/token", atomically: true, encoding: .utf8)
        try Self.ca.write(toFile: "\(directory)/ca.crt", atomically: true, encoding: .utf8)
        try "mimir\n".write(toFile: "\(directory)/namespace", atomically: true, encoding: .utf8)
        let variables = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let configuration = try KubernetesConfiguration.inCluster(environment: { variables[$0] }, directory: directory)
        #expect(configuration.server == "https://10.96.0.1:443")
        #expect(configuration.caFile == "\(directory)/ca.crt")
        #expect(configuration.credentials == .tokenFile("\(directory)/token"))
        #expect(configuration.namespace == "mimir")
        let ipv6 = try KubernetesConfiguration.inCluster(
            environment: { ["KUBERNETES_SERVICE_HOST": "fd00::1"][$0] }, directory: directory)
        #expect(ipv6.server == "https://[fd00::1]:443")
        #expect(throws: KubernetesConfigurationError.self) {
            try KubernetesConfiguration.inCluster(environment: { _ in nil }, directory: directory)
        }
    }
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mimir-kube-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
