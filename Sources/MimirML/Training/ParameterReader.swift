import MimirCore

/// Reads one JSON object of options, refusing unknown keys and wrong types with a message that
/// names the key, so a misspelt hyperparameter fails the job instead of silently taking a default.
struct ParameterReader {
    private let object: [String: JSONValue]
    private let context: String
    private var used = Set<String>()

    init(_ value: JSONValue?, context: String) throws(MLError) {
        guard let value, !value.isNull else {
            self.init(object: [:], context: context)
            return
        }
        guard let object = value.objectValue else { throw .invalidParameters("\(context) must be an object") }
        self.init(object: object, context: context)
    }

    private init(object: [String: JSONValue], context: String) {
        self.object = object
        self.context = context
    }

    private func name(_ key: String) -> String { "\(context).\(key)" }

    private mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    mutating func has(_ key: String) -> Bool { value(key) != nil }

    mutating func string(_ key: String) throws(MLError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw .invalidParameters("\(name(key)) must be a string") }
        return text
    }

    mutating func choice(_ key: String, _ allowed: [String], default fallback: String) throws(MLError) -> String {
        guard let text = try string(key) else { return fallback }
        guard allowed.contains(text) else {
            throw .invalidParameters(
                "\(name(key)) is \(MLError.show(text)); expected one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))"
            )
        }
        return text
    }

    mutating func double(_ key: String, default fallback: Double, minimum: Double? = nil, above: Double? = nil)
        throws(MLError) -> Double
    {
        guard let value = value(key) else { return fallback }
        guard let number = value.doubleValue else { throw .invalidParameters("\(name(key)) must be a number") }
        if let minimum, number < minimum { throw .invalidParameters("\(name(key)) must be at least \(minimum)") }
        if let above, number <= above { throw .invalidParameters("\(name(key)) must be greater than \(above)") }
        return number
    }

    mutating func integer(_ key: String, minimum: Int) throws(MLError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int64Value, let whole = Int(exactly: number) else {
            throw .invalidParameters("\(name(key)) must be an integer")
        }
        guard whole >= minimum else { throw .invalidParameters("\(name(key)) must be at least \(minimum)") }
        return whole
    }

    mutating func integer(_ key: String, default fallback: Int, minimum: Int) throws(MLError) -> Int {
        try integer(key, minimum: minimum) ?? fallback
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(MLError) -> Bool {
        guard let value = value(key) else { return fallback }
        guard let flag = value.boolValue else { throw .invalidParameters("\(name(key)) must be true or false") }
        return flag
    }

    mutating func strings(_ key: String) throws(MLError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let items = value.arrayValue, let texts = JSONDecoding.strings(value) else {
            throw .invalidParameters("\(name(key)) must be an array of strings")
        }
        guard Set(texts).count == items.count else {
            throw .invalidParameters("\(name(key)) lists a column more than once")
        }
        return texts
    }

    /// The raw value, for options whose type varies (max_features).
    mutating func raw(_ key: String) -> JSONValue? { value(key) }

    /// Fails on the first key no reader asked for.
    func finish() throws(MLError) {
        if let unknown = object.keys.sorted().first(where: { !used.contains($0) }) {
            throw .invalidParameters("unknown option \(name(unknown))")
        }
    }
}
