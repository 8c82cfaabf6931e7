/// Turns a `DecodingError` into one line naming the field ("task_spec.priority: expected Int, got
/// a string") instead of Swift's debug dump.
extension DecodingError {
    public var fieldDescription: String {
        switch self {
        case .typeMismatch(let type, let context):
            return "\(Self.path(context.codingPath)): expected \(Self.name(of: type)); \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(Self.path(context.codingPath)): expected \(Self.name(of: type)), found null"
        case .keyNotFound(let key, let context):
            return "\(Self.path(context.codingPath + [key])): required field is missing"
        case .dataCorrupted(let context):
            return "\(Self.path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        guard !codingPath.isEmpty else { return "(document)" }
        return codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            .trimmingPrefix(".").description
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt32.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "\(type)"
        }
    }
}

extension Substring {
    fileprivate func trimmingPrefix(_ prefix: Character) -> Substring {
        first == prefix ? dropFirst() : self
    }
}

extension String {
    fileprivate func trimmingPrefix(_ prefix: Character) -> Substring {
        Substring(self).trimmingPrefix(prefix)
    }
}
