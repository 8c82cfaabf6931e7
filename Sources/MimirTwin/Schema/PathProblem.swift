/// One thing wrong with an input document, with where it is (`entity_types.Sensor.attributes.t.type`),
/// so that a user with a long schema or batch can fix every problem in one go.
public struct PathProblem: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Collects problems while a document is read, so reading goes on past the first one.
struct ProblemList {
    private(set) var problems: [PathProblem] = []

    mutating func add(_ path: String, _ message: String) {
        problems.append(PathProblem(path: path, message: message))
    }

    var isEmpty: Bool { problems.isEmpty }
}

/// Names users choose (types, attributes, relationships) are identifiers, so that derived
/// expressions can refer to them and Redis keys built from them stay unambiguous.
enum Names {
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64 else { return false }
        let isLetter = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || isDigit($0) }
    }

    /// Twin and entity ids: 1 to 128 of letters, digits, `_`, `-`, `.`; no `:` (the Redis key
    /// separator) and no spaces.
    static func isIdentifierLike(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 128 else { return false }
        return id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    static let idRule = "1 to 128 of letters, digits, '_', '-', '.'"
}

/// The rule for twin and entity ids, for callers outside the twin code (the orchestrator's routes).
public enum TwinIdentifiers {
    public static func isValid(_ id: String) -> Bool { Names.isIdentifierLike(id) }
    public static var rule: String { Names.idRule }
}
