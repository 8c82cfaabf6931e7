/// Why a schema document was refused: where inside the schema, and what is wrong there.
public struct JSONSchemaError: Error, CustomStringConvertible, Sendable, Hashable {
    /// JSON Pointer into the schema document ("" for the root), e.g. "/properties/limit/minimum".
    public let schemaPath: String
    public let message: String

    public init(schemaPath: String, message: String) {
        self.schemaPath = schemaPath
        self.message = message
    }

    public var description: String {
        schemaPath.isEmpty ? "schema root: \(message)" : "schema at \(schemaPath): \(message)"
    }
}
