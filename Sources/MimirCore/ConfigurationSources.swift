// FoundationEssentials, not Foundation: Foundation would bring ICU into every program that links
// MimirCore (6 MB more resident memory per worker and executor process).
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Fills a program's settings from flags (already parsed, `nil` when absent) and environment
/// variables, naming the variable in every error: a malformed value is refused, never replaced
/// by the default.
public struct ConfigurationSources {
    public typealias Lookup = (String) -> String?
    let environment: Lookup
    private(set) var problems: [String] = []

    public init(environment: @escaping Lookup = { Environment.value($0) }) {
        self.environment = environment
    }

    /// The flag's value, else the variable's, else `current`.
    public mutating func string(_ flag: String?, _ variable: String, _ current: String) -> String {
        flag ?? environment(variable).flatMap { $0.isEmpty ? nil : $0 } ?? current
    }

    public mutating func integer(_ flag: Int?, _ variable: String, _ current: Int) -> Int {
        integer(flag, variable) ?? current
    }

    /// The flag's value, else the variable's, else `nil` (also when the variable is malformed:
    /// then `errors` says so).
    public mutating func integer(_ flag: Int?, _ variable: String) -> Int? {
        if let flag { return flag }
        guard let text = environment(variable), !text.isEmpty else { return nil }
        guard let value = Int(text) else {
            problems.append("\(variable) must be an integer, got \"\(text)\"")
            return nil
        }
        return value
    }

    public mutating func number(_ flag: Double?, _ variable: String, _ current: Double) -> Double {
        number(flag, variable) ?? current
    }

    /// The flag's value, else the variable's, else `nil` (also when the variable is malformed:
    /// then `errors` says so).
    public mutating func number(_ flag: Double?, _ variable: String) -> Double? {
        if let flag { return flag }
        guard let text = environment(variable), !text.isEmpty else { return nil }
        guard let value = Double(text), value.isFinite else {
            problems.append("\(variable) must be a number, got \"\(text)\"")
            return nil
        }
        return value
    }

    public mutating func seconds(_ flag: Double?, _ variable: String, _ current: Duration) -> Duration {
        var seconds: Double? = flag
        if seconds == nil, let text = environment(variable), !text.isEmpty {
            seconds = Double(text)
            if seconds == nil { problems.append("\(variable) must be a number of seconds, got \"\(text)\"") }
        }
        guard let seconds else { return current }
        guard seconds >= 0, seconds <= 1e9 else {
            problems.append("\(variable) must be a number of seconds from 0 to 1e9, got \(seconds)")
            return current
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    public mutating func list(_ flag: String?, _ variable: String, _ current: [String]) -> [String] {
        guard let text = flag ?? environment(variable), !text.isEmpty else { return current }
        return text.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
    }

    /// `key=value,key=value`, as for a node selector.
    public mutating func keyValues(_ variable: String, _ current: [String: String]) -> [String: String] {
        guard let text = environment(variable), !text.isEmpty else { return current }
        var pairs: [String: String] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0.trimmingWhitespace()) }
            guard parts.count == 2, !parts[0].isEmpty else {
                problems.append("\(variable) must be key=value pairs separated by commas, got \"\(item)\"")
                continue
            }
            pairs[parts[0]] = parts[1]
        }
        return pairs
    }

    /// A JSON array of objects, as for pod tolerations.
    public mutating func objectArray(_ variable: String, _ current: [JSONValue]) -> [JSONValue] {
        guard let text = environment(variable), !text.isEmpty else { return current }
        guard let value = try? JSONValue.parse(text), case .array(let items) = value,
            items.allSatisfy({ $0.objectValue != nil })
        else {
            problems.append("\(variable) must be a JSON array of objects, got \(text)")
            return current
        }
        return items
    }

    public var errors: [String] { problems }
}
