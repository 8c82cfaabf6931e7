import MimirCore

/// An object schema being compiled: its members plus typed accessors that throw a `JSONSchemaError` naming the
/// keyword's location when a keyword's value has the wrong shape. A missing keyword reads as `nil`.
struct SchemaObject {
    let members: [String: JSONValue]
    let path: [String]

    func has(_ keyword: String) -> Bool {
        members[keyword] != nil
    }

    func path(_ keyword: String, _ more: String...) -> [String] {
        path + [keyword] + more
    }

    func error(_ keyword: String, _ message: String) -> JSONSchemaError {
        SchemaCompiler.error(at: path(keyword), message)
    }

    /// What a wrong value was, for "must be ..., got X" messages: the type name, or the value for numbers, where
    /// the type is right and the value is not ("got -1").
    static func describe(_ value: JSONValue) -> String {
        value.doubleValue != nil ? MessageFormatting.render(value) : value.typeName
    }

    func string(_ keyword: String) throws(JSONSchemaError) -> String? {
        guard let value = members[keyword] else { return nil }
        guard case .string(let string) = value else {
            throw error(keyword, "\"\(keyword)\" must be a string, got \(value.typeName)")
        }
        return string
    }

    func boolean(_ keyword: String) throws(JSONSchemaError) -> Bool? {
        guard let value = members[keyword] else { return nil }
        guard case .bool(let boolean) = value else {
            throw error(keyword, "\"\(keyword)\" must be a boolean, got \(value.typeName)")
        }
        return boolean
    }

    func array(_ keyword: String) throws(JSONSchemaError) -> [JSONValue]? {
        guard let value = members[keyword] else { return nil }
        guard case .array(let elements) = value else {
            throw error(keyword, "\"\(keyword)\" must be an array, got \(value.typeName)")
        }
        return elements
    }

    func object(_ keyword: String, of contents: String) throws(JSONSchemaError) -> [String: JSONValue]? {
        guard let value = members[keyword] else { return nil }
        guard case .object(let object) = value else {
            throw error(keyword, "\"\(keyword)\" must be an object of \(contents), got \(value.typeName)")
        }
        return object
    }

    /// `hint` is appended to the message, e.g. to point draft-04 users at the 2020-12 meaning.
    func number(_ keyword: String, hint: String = "") throws(JSONSchemaError) -> JSONNumber? {
        guard let value = members[keyword] else { return nil }
        guard let number = JSONNumber(value) else {
            throw error(keyword, "\"\(keyword)\" must be a number, got \(value.typeName)\(hint)")
        }
        return number
    }

    /// Whole numbers written as 3.0 count, as the meta-schema's "integer" type allows. Values beyond `Int` are
    /// clamped: no string, array or object can be that large, so the outcome is the same.
    func count(_ keyword: String) throws(JSONSchemaError) -> Int? {
        guard let value = members[keyword] else { return nil }
        switch value {
        case .integer(let integer) where integer >= 0:
            return Int(exactly: integer) ?? Int.max
        case .number(let double) where double >= 0 && double.rounded() == double && double.isFinite:
            return Int(exactly: double) ?? Int.max
        default:
            throw error(keyword, "\"\(keyword)\" must be a non-negative integer, got \(Self.describe(value))")
        }
    }

    /// An array of distinct strings (`required`, and each list in `dependentRequired`).
    static func distinctStrings(_ value: JSONValue, at path: [String], keyword: String)
        throws(JSONSchemaError) -> [String]
    {
        guard case .array(let elements) = value else {
            throw SchemaCompiler.error(at: path, "\"\(keyword)\" must be an array of strings, got \(value.typeName)")
        }
        var seen: Set<String> = []
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let string) = element else {
                throw SchemaCompiler.error(
                    at: path + [String(index)],
                    "\"\(keyword)\" entries must be strings, got \(element.typeName)")
            }
            guard seen.insert(string).inserted else {
                throw SchemaCompiler.error(
                    at: path + [String(index)],
                    "\"\(keyword)\" lists \(MessageFormatting.quoted(string)) more than once")
            }
            strings.append(string)
        }
        return strings
    }

    /// Compiles a regular expression found at `path`.
    static func pattern(_ source: String, at path: [String]) throws(JSONSchemaError) -> PatternMatcher {
        do {
            return try PatternMatcher(source)
        } catch {
            throw SchemaCompiler.error(
                at: path, "invalid regular expression \(MessageFormatting.quoted(source)): \(error.description)")
        }
    }
}
