import MimirExpressions

/// Finds what an expression reads from the twin and checks it against the schema, before the
/// expression is bound: own attributes, to-one paths, and aggregates over relationships.
struct ReferenceCollector {
    let type: EntityTypeSpec
    let types: [String: EntityTypeSpec]
    private(set) var ownAttributes: Set<String> = []
    private(set) var terms: [RelationTerm] = []
    private(set) var problem: FormulaCompiler.Problem?

    init(type: EntityTypeSpec, types: [String: EntityTypeSpec]) {
        self.type = type
        self.types = types
    }

    mutating func visit(_ node: ExpressionNode) {
        guard problem == nil else { return }
        switch node.kind {
        case .literal:
            break
        case .identifier(let name):
            identifier(name, column: node.column)
        case .unary(_, let operand), .isNull(let operand, _):
            visit(operand)
        case .binary(_, let left, let right):
            visit(left)
            visit(right)
        case .inList(let operand, let list, _):
            visit(operand)
            for element in list { visit(element) }
        case .call(let name, let arguments):
            if let aggregate = AggregateFunction(rawValue: name), arguments.count == 1,
                let path = arguments[0].identifierName, let relationship = path.split(separator: ".").first,
                type.relationships[String(relationship)] != nil
            {
                aggregateTerm(aggregate, path: path, column: node.column)
            } else {
                for argument in arguments { visit(argument) }
            }
        }
    }

    private mutating func identifier(_ name: String, column: Int) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            if type.attributes[name] != nil {
                ownAttributes.insert(name)
            } else if let relationship = type.relationships[name] {
                fail(
                    "\(name) is a relationship to \(relationship.target): read an attribute of it "
                        + "(\(name).attribute) or count it (count(\(name)))", column)
            } else {
                fail("\(type.name) has no attribute \"\(name)\" (\(known(type)))", column)
            }
            return
        }
        guard let relationship = resolve(parts, column: column) else { return }
        guard relationship.cardinality == .one else {
            fail(
                "\(type.name).\(parts[0]) links to many \(relationship.target): aggregate it, "
                    + "e.g. avg(\(name)), sum, min, max, count", column)
            return
        }
        add(RelationTerm(relationship: parts[0], attribute: parts[1], aggregate: nil))
    }

    private mutating func aggregateTerm(_ aggregate: AggregateFunction, path: String, column: Int) {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            guard aggregate == .count else {
                fail("\(aggregate.rawValue)() needs an attribute: \(aggregate.rawValue)(\(path).attribute)", column)
                return
            }
            add(RelationTerm(relationship: path, attribute: nil, aggregate: .count))
            return
        }
        guard let relationship = resolve(parts, column: column) else { return }
        if aggregate != .count, types[relationship.target]?.attributes[parts[1]]?.type != .number {
            fail(
                "\(aggregate.rawValue)() needs a number attribute; \(relationship.target).\(parts[1]) is not one",
                column)
            return
        }
        add(RelationTerm(relationship: parts[0], attribute: parts[1], aggregate: aggregate))
    }

    /// Checks a `relationship.attribute` path, one relationship deep.
    private mutating func resolve(_ parts: [String], column: Int) -> RelationshipSpec? {
        let path = parts.joined(separator: ".")
        guard parts.count == 2 else {
            fail("\(path): a path goes through one relationship (relationship.attribute)", column)
            return nil
        }
        guard let relationship = type.relationships[parts[0]] else {
            fail("\(type.name) has no relationship \"\(parts[0])\"", column)
            return nil
        }
        guard let target = types[relationship.target], target.attributes[parts[1]] != nil else {
            let targetKnown = types[relationship.target].map(known) ?? ""
            fail("\(relationship.target) has no attribute \"\(parts[1])\" (\(targetKnown))", column)
            return nil
        }
        return relationship
    }

    private mutating func add(_ term: RelationTerm) {
        if !terms.contains(term) { terms.append(term) }
    }

    private mutating func fail(_ message: String, _ column: Int) {
        if problem == nil { problem = FormulaCompiler.Problem(message: "\(message) at column \(column)") }
    }

    private func known(_ type: EntityTypeSpec) -> String {
        type.attributes.keys.sorted().joined(separator: ", ")
    }
}
