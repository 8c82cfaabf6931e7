/// A range of executor versions a job asks for (`task_spec.executor_version`), in the forms npm
/// and Cargo users know: `1.2.3` or `=1.2.3` (exact), `^1.2` (compatible: same major, or same minor
/// below 1.0), `~1.2` (same minor), `1.2.x` / `1.x` / `*`, comparisons `>=1.2`, `>1.2`, `<2`, `<=2.1`,
/// and several comparisons separated by spaces (all must hold). Pre-release tags are not matched.
///
/// A range becomes a half-open interval [lower, upper) of versions, which the queue stores as
/// numbers (`VersionRange.number(_:)`) so Redis can compare them without parsing.
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    /// Inclusive; `nil` for no lower bound.
    public let lower: SemanticVersion?
    /// Exclusive; `nil` for no upper bound.
    public let upper: SemanticVersion?

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public var description: String { text }

    /// Components above this do not fit the numeric encoding.
    public static let componentLimit: UInt64 = 999_999

    public init(_ text: String) throws(ParseError) {
        let trimmed = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard !trimmed.isEmpty else { throw ParseError(description: "an empty version range") }
        var lower: SemanticVersion?
        var upper: SemanticVersion?
        for part in trimmed {
            let (partLower, partUpper) = try Self.bounds(of: part, in: text)
            if let partLower, lower.map({ partLower > $0 }) ?? true { lower = partLower }
            if let partUpper, upper.map({ partUpper < $0 }) ?? true { upper = partUpper }
        }
        if let lower, let upper, lower >= upper {
            throw ParseError(description: "version range \"\(text)\" matches no version")
        }
        self.text = text
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ version: SemanticVersion) -> Bool {
        guard version.preRelease.isEmpty else { return false }
        if let lower, version < lower { return false }
        if let upper, version >= upper { return false }
        return true
    }

    /// A version as one number that orders like the version (pre-release ignored):
    /// major·10¹² + minor·10⁶ + patch. Exact in a Double for majors below 9000.
    public static func number(_ version: SemanticVersion) -> Int64 {
        Int64(version.major) * 1_000_000_000_000 + Int64(version.minor) * 1_000_000 + Int64(version.patch)
    }

    private static func bounds(of part: String, in whole: String) throws(ParseError) -> (
        SemanticVersion?, SemanticVersion?
    ) {
        func fail(_ why: String) -> ParseError {
            ParseError(description: "version range \"\(whole)\": \(why) (forms: 1.2.3, ^1.2, ~1.2, 1.x, >=1.2 <2)")
        }
        var body = Substring(part)
        var op = ""
        for candidate in [">=", "<=", ">", "<", "=", "^", "~"] where body.hasPrefix(candidate) {
            op = candidate
            body = body.dropFirst(candidate.count)
            break
        }
        if body == "*" || body == "x" || body == "X" {
            guard op.isEmpty else { throw fail("\"\(part)\" compares with a wildcard") }
            return (nil, nil)
        }
        let pieces = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(pieces.count) else { throw fail("\"\(part)\" is not a version") }
        var numbers: [UInt64] = []
        for piece in pieces {
            if piece == "x" || piece == "X" || piece == "*" { break }
            guard !piece.isEmpty, piece.allSatisfy(\.isASCIIDigit), let number = UInt64(piece), number <= componentLimit
            else {
                throw fail("\"\(part)\" is not a version")
            }
            numbers.append(number)
        }
        guard !numbers.isEmpty else { throw fail("\"\(part)\" has no version number") }
        let given = numbers.count
        let base = SemanticVersion(
            major: numbers[0], minor: given > 1 ? numbers[1] : 0, patch: given > 2 ? numbers[2] : 0)
        // The version just above the given components: 1.2 → 1.3.0, 1 → 2.0.0, 1.2.3 → 1.2.4.
        func bump(_ position: Int) -> SemanticVersion {
            switch position {
            case 0: SemanticVersion(major: base.major + 1, minor: 0, patch: 0)
            case 1: SemanticVersion(major: base.major, minor: base.minor + 1, patch: 0)
            default: SemanticVersion(major: base.major, minor: base.minor, patch: base.patch + 1)
            }
        }
        switch op {
        case "", "=": return (base, bump(given - 1))
        case ">=": return (base, nil)
        case ">": return (bump(given - 1), nil)
        case "<": return (nil, base)
        case "<=": return (nil, bump(given - 1))
        case "~": return (base, bump(min(given - 1, 1)))
        default:  // "^": the leftmost non-zero component stays
            if base.major > 0 || given == 1 { return (base, bump(0)) }
            if base.minor > 0 || given == 2 { return (base, bump(1)) }
            return (base, bump(2))
        }
    }
}
