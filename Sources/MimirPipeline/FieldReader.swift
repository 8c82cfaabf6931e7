import MimirCore

/// Reads typed fields out of one JSON object, recording a located problem for each field that
/// is missing, mistyped or unknown instead of stopping at the first.
struct FieldReader {
    let object: [String: JSONValue]
    let path: String
    let problems: ProblemCollector

    /// Reports any key not in `allowed`: a typo such as `wehre` must not be silently ignored.
    func rejectUnknownFields(allowed: [String], owner: String) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            problems.add(
                "\(path).\(key)", "unknown field for \(owner) (fields: \(allowed.joined(separator: ", ")))")
        }
    }

    func fieldPath(_ key: String) -> String { "\(path).\(key)" }

    func has(_ key: String) -> Bool { object[key] != nil }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = object[key] else {
            if required { problems.add(fieldPath(key), "required") }
            return nil
        }
        guard let text = value.stringValue else {
            problems.add(fieldPath(key), "expected a string, got \(value.typeName)")
            return nil
        }
        if text.isEmpty {
            problems.add(fieldPath(key), "must not be empty")
            return nil
        }
        return text
    }

    func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let value = object[key] else { return fallback }
        guard let flag = value.boolValue else {
            problems.add(fieldPath(key), "expected true or false, got \(value.typeName)")
            return fallback
        }
        return flag
    }

    func integer(_ key: String, required: Bool = false, minimum: Int64 = 0) -> Int? {
        guard let value = object[key] else {
            if required { problems.add(fieldPath(key), "required") }
            return nil
        }
        guard let number = value.int64Value, number >= minimum, let result = Int(exactly: number) else {
            problems.add(fieldPath(key), "expected an integer ≥ \(minimum), got \(value.jsonText())")
            return nil
        }
        return result
    }

    /// A choice among fixed spellings, reported with the spellings it could have been.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, required: Bool = false) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let known = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            problems.add(fieldPath(key), "unknown value \"\(text)\" (known: \(known))")
            return nil
        }
        return choice
    }

    /// A non-empty array of non-empty strings, each problem located by index.
    func stringList(_ key: String, required: Bool = false) -> [String]? {
        guard let value = object[key] else {
            if required { problems.add(fieldPath(key), "required") }
            return nil
        }
        guard let elements = value.arrayValue, !elements.isEmpty else {
            problems.add(fieldPath(key), "expected a non-empty array of column names")
            return nil
        }
        var names: [String] = []
        for (index, element) in elements.enumerated() {
            guard let name = element.stringValue, !name.isEmpty else {
                problems.add("\(fieldPath(key))[\(index)]", "expected a column name, got \(element.jsonText())")
                continue
            }
            if names.contains(name) {
                problems.add("\(fieldPath(key))[\(index)]", "column \"\(name)\" is listed twice")
                continue
            }
            names.append(name)
        }
        return names.count == elements.count ? names : nil
    }

    /// A delimiter: exactly one ASCII character.
    func delimiter(_ key: String) -> UInt8 {
        guard let text = string(key) else { return UInt8(ascii: ",") }
        let bytes = Array(text.utf8)
        guard bytes.count == 1, bytes[0] < 0x80, bytes[0] != UInt8(ascii: "\""), bytes[0] != 0x0A, bytes[0] != 0x0D
        else {
            problems.add(fieldPath(key), "must be a single ASCII character other than a quote or newline")
            return UInt8(ascii: ",")
        }
        return bytes[0]
    }
}
