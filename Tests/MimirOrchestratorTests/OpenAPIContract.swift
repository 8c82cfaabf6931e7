import Foundation
import MimirCore
import MimirJSONSchema
import Synchronization

/// The server's own OpenAPI document, used to check every response a test receives: a response
/// whose status is not documented for the operation, or whose body breaks the documented schema,
/// is a test failure.
final class OpenAPIContract: Sendable {
    let document: JSONValue
    private let compiled = Mutex<[String: JSONSchema]>([:])

    init(document: JSONValue) {
        self.document = document
    }

    /// Problems with one response; empty when it matches the document.
    func check(method: String, path template: String, status: Int, body: JSONValue?) -> [String] {
        let operationName = "\(method.uppercased()) \(template) → \(status)"
        guard let operation = document["paths"]?[template]?[method.lowercased()] else {
            return ["\(operationName): the operation is not in the OpenAPI document"]
        }
        guard var response = operation["responses"]?[String(status)] ?? operation["responses"]?["default"] else {
            return ["\(operationName): status \(status) is not documented for the operation"]
        }
        if let reference = response["$ref"]?.stringValue {
            guard let resolved = resolve(reference) else { return ["\(operationName): unresolvable \(reference)"] }
            response = resolved
        }
        guard let content = response["content"]?.objectValue else {
            return body == nil ? [] : ["\(operationName): the document says no body, but the server sent one"]
        }
        guard let schema = content["application/json"]?["schema"] else { return [] }
        guard let body else { return ["\(operationName): the document describes a JSON body, but there was none"] }
        let key = "\(operationName)"
        let validator: JSONSchema
        if let cached = compiled.withLock({ $0[key] }) {
            validator = cached
        } else {
            // The schema refers to components by local references; JSON Schema resolves those only
            // into schema locations, so the component schemas travel along as $defs.
            let definitions = document["components"]?["schemas"] ?? [:]
            let root = Self.rehome(["allOf": [schema], "$defs": definitions])
            do {
                validator = try JSONSchema(root)
            } catch {
                return ["\(operationName): the documented schema does not compile: \(error)"]
            }
            compiled.withLock { $0[key] = validator }
        }
        return validator.validate(body).map { "\(operationName): \($0)" }
    }

    /// Rewrites "#/components/schemas/X" references to "#/$defs/X".
    private static func rehome(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var rewritten: [String: JSONValue] = [:]
            for (key, member) in members {
                if key == "$ref", let target = member.stringValue, target.hasPrefix("#/components/schemas/") {
                    rewritten[key] = .string("#/$defs/" + target.dropFirst("#/components/schemas/".count))
                } else {
                    rewritten[key] = rehome(member)
                }
            }
            return .object(rewritten)
        case .array(let elements):
            return .array(elements.map(rehome))
        default:
            return value
        }
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for part in reference.dropFirst(2).split(separator: "/") {
            node = node?[part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        return node
    }
}
