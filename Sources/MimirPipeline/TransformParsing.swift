import MimirCore
import MimirExpressions

/// Reading the steps that reshape rows. Each function reports its own problems and returns
/// `nil` when the step cannot be built.
enum TransformParsing {
    static func select(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "columns"], owner: "select")
        return fields.stringList("columns", required: true).map(PipelineStep.select)
    }

    static func rename(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "columns"], owner: "rename")
        guard let entries = mapping(fields, "columns") else { return nil }
        var renames: [ColumnRename] = []
        var targets: Set<String> = []
        for (from, value) in entries {
            guard let to = value.stringValue, !to.isEmpty else {
                fields.problems.add("\(fields.fieldPath("columns")).\(from)", "expected the new column name")
                continue
            }
            if !targets.insert(to).inserted {
                fields.problems.add("\(fields.fieldPath("columns")).\(from)", "two columns renamed to \"\(to)\"")
            }
            renames.append(ColumnRename(from: from, to: to))
        }
        return renames.count == entries.count ? .rename(renames) : nil
    }

    static func cast(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "columns"], owner: "cast")
        guard let entries = mapping(fields, "columns") else { return nil }
        var casts: [ColumnCast] = []
        for (column, value) in entries {
            guard let name = value.stringValue, let type = CastType(rawValue: name) else {
                let known = CastType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                fields.problems.add(
                    "\(fields.fieldPath("columns")).\(column)", "unknown type \(value.jsonText()) (known: \(known))")
                continue
            }
            casts.append(ColumnCast(column: column, type: type))
        }
        return casts.count == entries.count ? .cast(casts) : nil
    }

    static func filter(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "where"], owner: "filter")
        guard let text = fields.string("where", required: true) else { return nil }
        return expression(text, path: fields.fieldPath("where"), problems: fields.problems).map(PipelineStep.filter)
    }

    /// Object form `{"name": "expr"}` (expressions see only the input columns; new columns are
    /// added in name order) or array form `[{"name", "expr"}]` (in order; later ones may use
    /// earlier ones). The array form exists because JSON objects do not keep key order.
    static func derive(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "columns"], owner: "derive")
        guard let entries = namedEntries(fields, "columns", valueKey: "expr") else { return nil }
        var derived: [DerivedColumn] = []
        for entry in entries {
            guard let text = entry.value.stringValue else {
                fields.problems.add(entry.path, "expected an expression string, got \(entry.value.typeName)")
                continue
            }
            if let parsed = expression(text, path: entry.path, problems: fields.problems) {
                derived.append(DerivedColumn(name: entry.name, expression: parsed))
            }
        }
        return derived.count == entries.count ? .derive(derived) : nil
    }

    static func dedupe(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "columns"], owner: "dedupe")
        if fields.has("columns") {
            return fields.stringList("columns").map { .dedupe(columns: $0) }
        }
        return .dedupe(columns: nil)
    }

    static func sort(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "by"], owner: "sort")
        guard let value = fields.object["by"] else {
            fields.problems.add(fields.fieldPath("by"), "required")
            return nil
        }
        guard let elements = value.arrayValue, !elements.isEmpty else {
            fields.problems.add(fields.fieldPath("by"), "expected a non-empty array of sort keys")
            return nil
        }
        var keys: [SortKey] = []
        for (index, element) in elements.enumerated() {
            let path = "\(fields.fieldPath("by"))[\(index)]"
            if let column = element.stringValue, !column.isEmpty {
                keys.append(SortKey(column: column, descending: false))
                continue
            }
            guard let object = element.objectValue else {
                fields.problems.add(path, "expected a column name or {\"column\", \"descending\"}")
                continue
            }
            let keyFields = FieldReader(object: object, path: path, problems: fields.problems)
            keyFields.rejectUnknownFields(allowed: ["column", "descending"], owner: "a sort key")
            if let column = keyFields.string("column", required: true) {
                keys.append(SortKey(column: column, descending: keyFields.bool("descending", default: false)))
            }
        }
        return keys.count == elements.count ? .sort(keys) : nil
    }

    static func limit(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "count"], owner: "limit")
        return fields.integer("count", required: true).map(PipelineStep.limit)
    }

    /// Parses expression text, reporting syntax errors, unknown functions and wrong argument
    /// counts at `path`; identifiers are checked later, against the schema at that step.
    static func expression(_ text: String, path: String, problems: ProblemCollector) -> Expression? {
        do {
            let parsed = try Expression.parse(text)
            _ = try parsed.bind { _ in 0 }
            return parsed
        } catch {
            problems.add(path, error.description)
            return nil
        }
    }

    /// A non-empty JSON object, entries in name order.
    static func mapping(_ fields: FieldReader, _ key: String) -> [(String, JSONValue)]? {
        guard let value = fields.object[key] else {
            fields.problems.add(fields.fieldPath(key), "required")
            return nil
        }
        guard let object = value.objectValue, !object.isEmpty else {
            fields.problems.add(fields.fieldPath(key), "expected a non-empty object")
            return nil
        }
        return object.keys.sorted().compactMap { name in object[name].map { (name, $0) } }
    }

    struct NamedEntry {
        let name: String
        let value: JSONValue
        let path: String
        /// The whole entry object in array form, for fields beyond the value.
        let object: [String: JSONValue]?
    }

    /// Accepts `{"name": value}` (name order) or `[{"name": …, valueKey: …}]` (given order).
    static func namedEntries(_ fields: FieldReader, _ key: String, valueKey: String?) -> [NamedEntry]? {
        let path = fields.fieldPath(key)
        if let array = fields.object[key]?.arrayValue, !array.isEmpty {
            var entries: [NamedEntry] = []
            var names: Set<String> = []
            for (index, element) in array.enumerated() {
                let elementPath = "\(path)[\(index)]"
                guard let object = element.objectValue, let name = object["name"]?.stringValue, !name.isEmpty else {
                    fields.problems.add(elementPath, "expected an object with a \"name\"")
                    continue
                }
                if !names.insert(name).inserted { fields.problems.add(elementPath, "name \"\(name)\" is used twice") }
                let value: JSONValue
                if let valueKey {
                    guard let found = object[valueKey] else {
                        fields.problems.add("\(elementPath).\(valueKey)", "required")
                        continue
                    }
                    value = found
                } else {
                    value = element
                }
                entries.append(NamedEntry(name: name, value: value, path: "\(elementPath)", object: object))
            }
            return entries.count == array.count ? entries : nil
        }
        guard let pairs = mapping(fields, key) else { return nil }
        return pairs.map { NamedEntry(name: $0.0, value: $0.1, path: "\(path).\($0.0)", object: nil) }
    }
}
