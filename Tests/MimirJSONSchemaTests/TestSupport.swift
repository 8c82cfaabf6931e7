import MimirCore
import MimirJSONSchema
import Testing

/// Compiles a schema written as JSON text; a schema error fails the calling test through `throws`.
func compile(_ schemaText: String) throws -> JSONSchema {
    try JSONSchema(text: schemaText)
}

/// Validates `instanceText` against `schemaText` and returns the violations as "path: message" lines,
/// so a test can compare the whole outcome, order included, in one assertion.
func check(_ schemaText: String, _ instanceText: String) throws -> [String] {
    try compile(schemaText).validate(JSONValue.parse(instanceText)).map(\.description)
}

/// The error compiling `schemaText` throws, or `nil` if it compiles.
func compileError(_ schemaText: String) -> JSONSchemaError? {
    do {
        _ = try JSONSchema(text: schemaText)
        return nil
    } catch {
        return error
    }
}
