import Synchronization

/// A compiled `pattern` / `patternProperties` regular expression.
///
/// JSON Schema patterns are ECMA-262 regexes; Swift's `Regex` syntax covers the common subset. To stay close to
/// ECMA-262 the regex matches unicode scalars (not grapheme clusters) and `\d`/`\w` are ASCII-only, as in
/// JavaScript. Matching is unanchored: "^" and "$" must be written to match the whole string.
final class PatternMatcher: Sendable {
    let source: String
    // `Regex` is not `Sendable` (it lazily caches its compiled program), so matching goes through a lock.
    // Parameters are small, so serialising matches on one pattern costs nothing noticeable.
    private let regex: Mutex<Regex<AnyRegexOutput>>

    /// Throws a description of the syntax error when `source` is not a valid regular expression.
    init(_ source: String) throws(PatternSyntaxError) {
        self.source = source
        let compiled: Regex<AnyRegexOutput>
        do {
            compiled = try Regex(source)
        } catch {
            throw PatternSyntaxError(description: "\(error)")
        }
        regex = Mutex(compiled.matchingSemantics(.unicodeScalar).asciiOnlyDigits().asciiOnlyWordCharacters())
    }

    func matches(_ text: String) -> Bool {
        regex.withLock { text.contains($0) }
    }
}

struct PatternSyntaxError: Error {
    let description: String
}
