/// Orders derived attributes so each is computed after the derived attributes it reads, and
/// refuses cycles: a cycle has no value to start from, so it is a schema error.
enum DerivedOrder {
    static func sort(_ types: [String: EntityTypeSpec], problems: inout ProblemList) -> [AttributeRef] {
        var dependencies: [AttributeRef: [AttributeRef]] = [:]
        for (typeName, type) in types {
            for (name, attribute) in type.attributes {
                guard let formula = attribute.derived else { continue }
                let node = AttributeRef(type: typeName, attribute: name)
                dependencies[node] = formula.dependencies(entityType: typeName, schemaTypes: types)
                    .filter { types[$0.type]?.attributes[$0.attribute]?.isDerived == true }
                    .sorted()
            }
        }
        var order: [AttributeRef] = []
        var state: [AttributeRef: Bool] = [:]  // false: on the current path; true: done
        var reported: Set<AttributeRef> = []

        func visit(_ node: AttributeRef, path: [AttributeRef]) {
            if state[node] == true { return }
            if state[node] == false {
                let cycle = path.drop { $0 != node } + [node]
                guard reported.insert(node).inserted else { return }
                problems.add(
                    "entity_types.\(node.type).attributes.\(node.attribute).derived",
                    "derived attributes form a cycle: " + cycle.map(\.description).joined(separator: " → "))
                return
            }
            state[node] = false
            for dependency in dependencies[node] ?? [] { visit(dependency, path: path + [node]) }
            state[node] = true
            order.append(node)
        }
        for node in dependencies.keys.sorted() { visit(node, path: []) }
        return order
    }
}
