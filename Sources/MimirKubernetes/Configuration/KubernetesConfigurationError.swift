/// Why no usable configuration was found, naming the file and the key so the user can fix it
/// without guessing which of several kubeconfig entries was read.
public struct KubernetesConfigurationError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The file at fault, when one was read.
    public let file: String?
    /// The key path within the file (`users[alice].user.client-key-data`), when one is at fault.
    public let key: String?
    public let message: String

    public init(file: String? = nil, key: String? = nil, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = ""
        if let file { text += file }
        if let key { text += text.isEmpty ? key : ": \(key)" }
        return text.isEmpty ? message : "\(text): \(message)"
    }
}
