import MimirCore

/// Keywords that look inside objects and arrays.
extension Validator {
    mutating func checkObject(_ constraint: ObjectConstraint, _ members: [String: JSONValue], _ instance: JSONValue) {
        switch constraint {
        case .properties(let properties):
            for (name, node) in properties {
                guard let value = members[name] else { continue }
                validate(node, value, at: .key(name))
                if isFinished { return }
            }
        case .patternProperties(let patterns):
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                for (matcher, node) in patterns where matcher.matches(name) {
                    validate(node, value, at: .key(name))
                    if isFinished { return }
                }
            }
        case .additionalProperties(let node, let declared, let patterns):
            let additional = members.sorted { $0.key < $1.key }.filter { name, _ in
                !declared.contains(name) && !patterns.contains { $0.matches(name) }
            }
            for (name, value) in additional {
                if case .boolean(false) = schema.nodes[node] {
                    // The common "no other properties" case gets a message that says what is allowed.
                    let allowed = Self.describeAllowedProperties(declared, patterns)
                    report("additionalProperties", "unexpected property \(MessageFormatting.quoted(name)) (\(allowed))")
                } else {
                    validate(node, value, at: .key(name))
                }
                if isFinished { return }
            }
        case .required(let names):
            for name in names where members[name] == nil {
                report("required", "missing required property \(MessageFormatting.quoted(name))")
                if isFinished { return }
            }
        case .minProperties(let minimum):
            if members.count < minimum {
                let limit = MessageFormatting.count(minimum, "property", "properties")
                report("minProperties", "must have at least \(limit), got \(members.count)")
            }
        case .maxProperties(let maximum):
            if members.count > maximum {
                let limit = MessageFormatting.count(maximum, "property", "properties")
                report("maxProperties", "must have at most \(limit), got \(members.count)")
            }
        case .propertyNames(let node):
            for name in members.keys.sorted() {
                // A name is not a location in the instance, so its problems are reported at the object.
                for violation in violations(of: node, .string(name), mode: mode) {
                    report("propertyNames", "property name \(MessageFormatting.quoted(name)) \(violation.message)")
                }
                if isFinished { return }
            }
        case .dependentRequired(let dependencies):
            for (property, requiredNames) in dependencies where members[property] != nil {
                for name in requiredNames where members[name] == nil {
                    report(
                        "dependentRequired",
                        "missing property \(MessageFormatting.quoted(name)), required when "
                            + "\(MessageFormatting.quoted(property)) is present")
                    if isFinished { return }
                }
            }
        case .dependentSchemas(let dependents):
            for (property, node) in dependents where members[property] != nil {
                validate(node, instance)
                if isFinished { return }
            }
        }
    }

    /// "allowed: color, size", "allowed: color or names matching ^x-", "no properties are allowed".
    private static func describeAllowedProperties(_ declared: Set<String>, _ patterns: [PatternMatcher]) -> String {
        let names = declared.sorted()
        let patternNames = patterns.map(\.source)
        switch (names.isEmpty, patternNames.isEmpty) {
        case (true, true): return "no properties are allowed"
        case (false, true): return "allowed: " + names.joined(separator: ", ")
        case (true, false): return "allowed: names matching " + patternNames.joined(separator: " or ")
        case (false, false):
            return "allowed: " + names.joined(separator: ", ") + " or names matching "
                + patternNames.joined(separator: " or ")
        }
    }

    mutating func checkArray(_ constraint: ArrayConstraint, _ items: [JSONValue]) {
        switch constraint {
        case .prefixItems(let nodes):
            for (index, (node, item)) in zip(nodes, items).enumerated() {
                validate(node, item, at: .index(index))
                if isFinished { return }
            }
        case .items(let node, let startIndex):
            for index in items.indices where index >= startIndex {
                validate(node, items[index], at: .index(index))
                if isFinished { return }
            }
        case .minItems(let minimum):
            if items.count < minimum {
                let limit = MessageFormatting.count(minimum, "item", "items")
                report("minItems", "must have at least \(limit), got \(items.count)")
            }
        case .maxItems(let maximum):
            if items.count > maximum {
                let limit = MessageFormatting.count(maximum, "item", "items")
                report("maxItems", "must have at most \(limit), got \(items.count)")
            }
        case .uniqueItems:
            var firstIndexOfValue: [JSONValue: Int] = [:]
            for (index, item) in items.enumerated() {
                let key = item.canonicalForEquality
                if let earlier = firstIndexOfValue[key] {
                    report("uniqueItems", "must not contain duplicates, item \(index) equals item \(earlier)")
                    if isFinished { return }
                } else {
                    firstIndexOfValue[key] = index
                }
            }
        case .contains(let node, let minimum, let maximum):
            var matching = 0
            for (index, item) in items.enumerated() {
                if matches(node, item, at: .index(index)) { matching += 1 }
            }
            if matching < minimum {
                let limit = MessageFormatting.count(minimum, "item", "items")
                report(
                    minimum == 1 ? "contains" : "minContains",
                    "must contain at least \(limit) matching \"contains\", got \(matching)")
            }
            if let maximum, matching > maximum {
                let limit = MessageFormatting.count(maximum, "item", "items")
                report("maxContains", "must contain at most \(limit) matching \"contains\", got \(matching)")
            }
        }
    }
}
