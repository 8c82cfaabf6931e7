import MimirCore

/// Meta-validates a schema document and compiles it into a `CompiledSchema`.
///
/// Every subschema is checked, including unused `$defs`, so a plugin cannot ship a schema that only breaks when
/// some job happens to reach the broken part. The first problem found is thrown; subschemas and keywords are
/// visited in a fixed order (keywords grouped by kind, object keys sorted), so the same document always reports
/// the same error.
struct SchemaCompiler {
    private let document: JSONValue
    private var nodes: [SchemaNode] = []
    /// The schema path of each node, for messages about `$ref` cycles.
    private var nodeLocations: [[String]] = []
    /// Every compiled subschema by its rendered schema path: the places a `$ref` may point to.
    private var nodeIDsByLocation: [String: NodeID] = [:]
    private var pendingReferences: [PendingReference] = []

    /// A `$ref` seen during compilation, resolved once the whole document has been compiled.
    struct PendingReference {
        let target: [String]
        let text: String
        /// Where the `$ref` keyword itself is, for error messages.
        let keywordPath: [String]
    }

    static func compile(_ document: JSONValue) throws(JSONSchemaError) -> CompiledSchema {
        var compiler = SchemaCompiler(document: document)
        let root = try compiler.compileSchema(document, at: [], role: "the schema")
        let targets = try compiler.resolveReferences()
        let compiled = CompiledSchema(nodes: compiler.nodes, referenceTargets: targets, root: root)
        try compiler.rejectInPlaceCycles(in: compiled)
        return compiled
    }

    private init(document: JSONValue) {
        self.document = document
    }

    /// Compiles the subschema `value` found at `path`. `role` names it in the error when it is not a schema at
    /// all, e.g. "\"items\"" or "each \"allOf\" entry".
    mutating func compileSchema(_ value: JSONValue, at path: [String], role: String) throws(JSONSchemaError)
        -> NodeID
    {
        switch value {
        case .bool(let accepts):
            return register(.boolean(accepts), at: path)
        case .object(let members):
            // Reserve the ID first so that the node's children, compiled next, get later IDs.
            let id = register(.boolean(true), at: path)
            nodes[id] = .constraints(try compileKeywords(SchemaObject(members: members, path: path)))
            return id
        default:
            throw SchemaCompiler.error(
                at: path, "\(role) must be a schema (an object or a boolean), got \(value.typeName)")
        }
    }

    private mutating func register(_ node: SchemaNode, at path: [String]) -> NodeID {
        nodes.append(node)
        nodeLocations.append(path)
        let id = nodes.count - 1
        nodeIDsByLocation[JSONPointer.render(path)] = id
        return id
    }

    /// Records a `$ref` and returns the index its target will have in `CompiledSchema.referenceTargets`.
    mutating func addReference(_ reference: PendingReference) -> Int {
        pendingReferences.append(reference)
        return pendingReferences.count - 1
    }

    private func resolveReferences() throws(JSONSchemaError) -> [NodeID] {
        var targets: [NodeID] = []
        for reference in pendingReferences {
            if let id = nodeIDsByLocation[JSONPointer.render(reference.target)] {
                targets.append(id)
            } else if document.value(atPointer: reference.target) == nil {
                throw SchemaCompiler.error(
                    at: reference.keywordPath,
                    "$ref \(MessageFormatting.quoted(reference.text)) points to nothing in this document")
            } else {
                throw SchemaCompiler.error(
                    at: reference.keywordPath,
                    "$ref \(MessageFormatting.quoted(reference.text)) points to a value that is not a subschema "
                        + "(targets must be schemas such as \"#/$defs/name\")")
            }
        }
        return targets
    }

    /// Rejects loops of `$ref` (through `allOf`, `anyOf`, `not`, ... ) that return to a schema without moving into a
    /// nested value of the instance. Validation would recurse forever on them, whatever the instance is; loops that
    /// pass through `properties` or `items` are fine, since every round consumes one level of a finite instance.
    private func rejectInPlaceCycles(in schema: CompiledSchema) throws(JSONSchemaError) {
        enum Mark { case unvisited, inProgress, done }
        var marks = [Mark](repeating: .unvisited, count: schema.nodes.count)
        // Explicit stack of (node, remaining edges) so that deep schemas cannot overflow the call stack here.
        var stack: [(node: NodeID, edges: ArraySlice<InPlaceEdge>)] = []

        func push(_ node: NodeID) {
            marks[node] = .inProgress
            stack.append((node, ArraySlice(schema.inPlaceEdges(from: node, nodePath: nodeLocations[node]))))
        }

        // Every node is a starting point: a loop inside "$defs" is reached through "properties" or "items"
        // edges, which this search does not follow.
        for start in schema.nodes.indices where marks[start] == .unvisited {
            push(start)
            while let top = stack.last {
                guard let edge = top.edges.first else {
                    marks[top.node] = .done
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].edges = top.edges.dropFirst()
                switch marks[edge.target] {
                case .unvisited:
                    push(edge.target)
                case .inProgress:
                    let loopStart = stack.firstIndex { $0.node == edge.target } ?? 0
                    let loop = stack[loopStart...].map(\.node) + [edge.target]
                    let description = loop.map { "#" + JSONPointer.render(nodeLocations[$0]) }.joined(separator: " -> ")
                    throw SchemaCompiler.error(
                        at: edge.keywordPath,
                        "$ref loop never moves into a nested value of the instance, so validation could not end: "
                            + description)
                case .done:
                    continue
                }
            }
        }
    }

    static func error(at path: [String], _ message: String) -> JSONSchemaError {
        JSONSchemaError(schemaPath: JSONPointer.render(path), message: message)
    }
}

/// An edge from a schema to a subschema applied to the same instance value.
struct InPlaceEdge {
    let target: NodeID
    let keywordPath: [String]
}

extension CompiledSchema {
    /// The subschemas `node` applies to the instance itself (not to its members or items).
    func inPlaceEdges(from node: NodeID, nodePath: [String]) -> [InPlaceEdge] {
        guard case .constraints(let constraints) = nodes[node] else { return [] }
        var edges: [InPlaceEdge] = []
        func add(_ target: NodeID, _ keywordPath: String...) {
            edges.append(InPlaceEdge(target: target, keywordPath: nodePath + keywordPath))
        }
        func add(_ targets: [NodeID], _ keyword: String) {
            for (index, target) in targets.enumerated() { add(target, keyword, String(index)) }
        }
        for constraint in constraints {
            switch constraint {
            case .object(.dependentSchemas(let dependents)):
                for dependent in dependents { add(dependent.schema, "dependentSchemas", dependent.property) }
            case .applicator(.allOf(let targets)): add(targets, "allOf")
            case .applicator(.anyOf(let targets)): add(targets, "anyOf")
            case .applicator(.oneOf(let targets)): add(targets, "oneOf")
            case .applicator(.not(let target)): add(target, "not")
            case .applicator(.conditional(let condition, let then, let otherwise)):
                add(condition, "if")
                if let then { add(then, "then") }
                if let otherwise { add(otherwise, "else") }
            case .applicator(.reference(let index)): add(referenceTargets[index], "$ref")
            case .value, .object, .array: continue
            }
        }
        return edges
    }
}

extension JSONValue {
    /// The value a JSON Pointer (as unescaped tokens) designates, `nil` when there is none.
    func value(atPointer tokens: [String]) -> JSONValue? {
        var current = self
        for token in tokens {
            switch current {
            case .object(let members):
                guard let member = members[token] else { return nil }
                current = member
            case .array(let elements):
                // RFC 6901: array indices are plain decimal, without leading zeros.
                guard let index = Int(token), String(index) == token, elements.indices.contains(index) else {
                    return nil
                }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}
