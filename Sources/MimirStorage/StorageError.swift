/// Why a dataset reference cannot be used: names the reference as given and what is wrong with it.
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The reference as the job gave it.
    public let reference: String
    public let reason: String

    public init(reference: String, reason: String) {
        self.reference = reference
        self.reason = reason
    }

    public var description: String { "\"\(reference)\": \(reason)" }
}
