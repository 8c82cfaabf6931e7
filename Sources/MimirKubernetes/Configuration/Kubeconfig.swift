import MimirCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A kubeconfig file (YAML, or JSON from `kubectl config view --raw -o json`) reduced to the
/// current context's server, trust and credentials.
public enum Kubeconfig {
    /// Reads `path`. `context` overrides `current-context`; `namespace` overrides the context's
    /// (which defaults to `default`, as kubectl's does).
    public static func load(path: String, context: String? = nil, namespace: String? = nil)
        throws(KubernetesConfigurationError) -> KubernetesConfiguration
    {
        let text: String
        do {
            text = try LocalFiles.readText(path)
        } catch {
            throw KubernetesConfigurationError(file: path, message: error.message)
        }
        return try parse(text, path: path, context: context, namespace: namespace)
    }

    /// `path` names the file in errors and anchors relative certificate paths.
    public static func parse(_ text: String, path: String, context: String? = nil, namespace: String? = nil)
        throws(KubernetesConfigurationError) -> KubernetesConfiguration
    {
        let document = try parseDocument(text, path: path)
        let reader = KubeconfigReader(document: document, path: path)
        return try reader.configuration(context: context, namespace: namespace)
    }

    static func parseDocument(_ text: String, path: String) throws(KubernetesConfigurationError) -> JSONValue {
        let document: JSONValue
        if text.trimmingWhitespace.hasPrefix("{") {
            do {
                document = try JSONValue.parse(text)
            } catch {
                throw KubernetesConfigurationError(file: path, message: "invalid JSON: \(error)")
            }
        } else {
            do {
                document = try YAMLSubset.parse(text)
            } catch {
                throw KubernetesConfigurationError(file: path, message: "invalid kubeconfig YAML: \(error)")
            }
        }
        guard document.objectValue != nil else {
            throw KubernetesConfigurationError(file: path, message: "not a kubeconfig: the document is not a mapping")
        }
        return document
    }

    /// Base64 text as kubeconfig `*-data` keys hold it (whitespace tolerated).
    static func decodeBase64(_ text: String) -> [UInt8]? {
        let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace })
        guard let data = Data(base64Encoded: compact) else { return nil }
        return [UInt8](data)
    }
}
