import HTTPTypes
import MimirCore

/// What a client asks to get back from a write, with RFC 7240's `Prefer: return=minimal` or
/// `return=representation` (the default): a client submitting jobs often needs their ids only, and
/// a batch's full answer is a hundred times their size.
enum ReturnPreference: Equatable {
    case representation
    case minimal

    static let prefer = HTTPField.Name("Prefer")!
    static let preferenceApplied = HTTPField.Name("Preference-Applied")!

    /// From the request's `Prefer` fields: the first `return` preference counts (RFC 7240 §2);
    /// anything else, and preferences this server does not know, leave the default.
    init(_ headers: HTTPFields) {
        self = .representation
        for value in headers[values: Self.prefer] {
            for preference in value.split(separator: ",") {
                // A preference's parameters follow `;`, which `return` does not use.
                let token = preference.prefix { $0 != ";" }
                let parts = token.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingWhitespace().lowercased() == "return" else { continue }
                var word = parts[1].trimmingWhitespace()
                if word.count >= 2, word.hasPrefix("\""), word.hasSuffix("\"") { word = word.dropFirst().dropLast() }
                switch word.lowercased() {
                case "minimal": self = .minimal
                case "representation": self = .representation
                default: continue
                }
                return
            }
        }
    }
}
