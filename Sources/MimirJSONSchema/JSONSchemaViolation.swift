/// One way an instance fails its schema: where in the instance, which keyword, and what was wrong.
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// JSON Pointer into the instance ("" for the instance itself), e.g. "/steps/2/column".
    ///
    /// Object-level keywords (`required`, `additionalProperties: false`, `minProperties`, ...) report the
    /// object's path and name the offending property in the message, since a missing property has no path.
    public let instancePath: String
    /// The schema keyword that failed, e.g. "minimum"; "false" for a `false` boolean schema.
    public let keyword: String
    public let message: String

    public init(instancePath: String, keyword: String, message: String) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.message = message
    }

    public var description: String {
        "\(instancePath.isEmpty ? "(root)" : instancePath): \(message)"
    }
}
