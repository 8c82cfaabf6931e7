import MimirCore

/// Reading `group_by` and `join`, the two steps with nested structure.
enum GroupJoinParsing {
    static func groupBy(_ fields: FieldReader) -> PipelineStep? {
        fields.rejectUnknownFields(allowed: ["kind", "keys", "aggregates"], owner: "group_by")
        let keys = fields.has("keys") ? fields.stringList("keys") : []
        guard let entries = TransformParsing.namedEntries(fields, "aggregates", valueKey: nil) else { return nil }
        var aggregates: [Aggregate] = []
        for entry in entries {
            guard let object = entry.value.objectValue else {
                fields.problems.add(entry.path, "expected {\"op\": …, \"column\": …}")
                continue
            }
            let entryFields = FieldReader(object: object, path: entry.path, problems: fields.problems)
            let allowed = entry.object == nil ? ["op", "column"] : ["name", "op", "column"]
            entryFields.rejectUnknownFields(allowed: allowed, owner: "an aggregate")
            let operation: AggregateOperation? = entryFields.choice("op", required: true)
            let column = entryFields.string("column")
            guard let operation else { continue }
            if operation != .count, column == nil {
                if !entryFields.has("column") {
                    fields.problems.add(entryFields.fieldPath("column"), "required for \(operation.rawValue)")
                }
                continue
            }
            if keys?.contains(entry.name) == true {
                fields.problems.add(entry.path, "\"\(entry.name)\" is also a group key")
                continue
            }
            aggregates.append(Aggregate(name: entry.name, operation: operation, column: column))
        }
        guard let keys, aggregates.count == entries.count else { return nil }
        return .groupBy(keys: keys, aggregates: aggregates)
    }

    static func join(_ fields: FieldReader) -> PipelineStep? {
        let allowed = ["kind", "how", "on", "suffix"] + SourceSinkParsing.sourceFields
        fields.rejectUnknownFields(allowed: allowed, owner: "join")
        let source = SourceSinkParsing.source(fields)
        let how: JoinKind = fields.has("how") ? (fields.choice("how") ?? .inner) : .inner
        let suffix = fields.has("suffix") ? (fields.string("suffix") ?? "_right") : "_right"
        guard let keys = joinKeys(fields) else { return nil }
        guard let source else { return nil }
        return .join(
            JoinDefinition(source: source, how: how, leftKeys: keys.left, rightKeys: keys.right, suffix: suffix))
    }

    /// `["id"]` (same names on both sides) or `{"left": "a" | [...], "right": "b" | [...]}`.
    private static func joinKeys(_ fields: FieldReader) -> (left: [String], right: [String])? {
        let path = fields.fieldPath("on")
        guard let value = fields.object["on"] else {
            fields.problems.add(path, "required")
            return nil
        }
        if value.arrayValue != nil || value.stringValue != nil {
            let wrapped = FieldReader(
                object: ["on": value.stringValue.map { .array([.string($0)]) } ?? value], path: fields.path,
                problems: fields.problems)
            return wrapped.stringList("on").map { ($0, $0) }
        }
        guard let object = value.objectValue else {
            fields.problems.add(path, "expected column names or {\"left\": …, \"right\": …}")
            return nil
        }
        let sides = FieldReader(
            object: object.mapValues { $0.stringValue.map { .array([.string($0)]) } ?? $0 }, path: path,
            problems: fields.problems)
        sides.rejectUnknownFields(allowed: ["left", "right"], owner: "join keys")
        let left = sides.stringList("left", required: true)
        let right = sides.stringList("right", required: true)
        guard let left, let right else { return nil }
        guard left.count == right.count else {
            fields.problems.add(path, "left has \(left.count) key columns but right has \(right.count)")
            return nil
        }
        return (left, right)
    }
}
