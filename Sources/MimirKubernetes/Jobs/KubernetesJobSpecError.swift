/// A launch that cannot become a valid Job.
public struct KubernetesJobSpecError: Error, CustomStringConvertible, Sendable, Hashable {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
