import MimirCore

/// A violation while validating; the path stays structured until the end so that sorting can order array
/// indices numerically.
struct PendingViolation: Hashable {
    let path: [InstancePathComponent]
    let keyword: String
    let message: String
}

/// Walks an instance against a `CompiledSchema`, collecting violations.
///
/// One validator is used for one `validate` call (it holds the current instance path), so the shared
/// `CompiledSchema` is only ever read and `JSONSchema` stays safe to use from many threads at once.
struct Validator {
    /// Cap on nested schema applications. `$ref` loops that never descend into the instance are refused when the
    /// schema is compiled, so only absurdly deep instances reach this; it keeps them from exhausting the stack.
    static let maximumDepth = 500

    /// How much detail to collect.
    enum Mode {
        /// Everything, including the closest branch of a failed anyOf/oneOf.
        case complete
        /// Every violation, but a failed anyOf/oneOf is only summarised: enough to rank branches against each
        /// other, without working out closest-branch details for branches that will not be shown.
        case withoutBranchDetails
        /// Stop at the first violation, when only "valid or not" matters.
        case firstViolation
    }

    let schema: CompiledSchema
    private(set) var violations: [PendingViolation] = []
    /// Where in the instance validation currently is.
    private(set) var path: [InstancePathComponent] = []
    private(set) var mode: Mode
    private var depth = 0

    init(schema: CompiledSchema, mode: Mode = .complete) {
        self.schema = schema
        self.mode = mode
    }

    /// True once there is nothing more worth finding.
    var isFinished: Bool {
        mode == .firstViolation && !violations.isEmpty
    }

    mutating func report(_ keyword: String, _ message: String) {
        violations.append(PendingViolation(path: path, keyword: keyword, message: message))
    }

    /// Re-reports violations collected for a branch (their paths are already complete).
    mutating func report(contentsOf branchViolations: [PendingViolation]) {
        violations += branchViolations
    }

    /// Applies subschema `node` to `instance`, which sits at the current path.
    mutating func validate(_ node: NodeID, _ instance: JSONValue) {
        switch schema.nodes[node] {
        case .boolean(true):
            return
        case .boolean(false):
            report("false", "no value is allowed here (the schema is false)")
        case .constraints(let constraints):
            guard depth < Self.maximumDepth else {
                report("depth", "is nested too deeply to validate (over \(Self.maximumDepth) nested schemas)")
                return
            }
            depth += 1
            defer { depth -= 1 }
            for constraint in constraints {
                check(constraint, instance)
                if isFinished { return }
            }
        }
    }

    /// Applies subschema `node` to a member or item of the current instance.
    mutating func validate(_ node: NodeID, _ instance: JSONValue, at component: InstancePathComponent) {
        path.append(component)
        defer { path.removeLast() }
        validate(node, instance)
    }

    /// The violations `node` finds in `instance` (at the current path), without adding them to this validator's.
    mutating func violations(of node: NodeID, _ instance: JSONValue, mode branchMode: Mode) -> [PendingViolation] {
        let outerViolations = violations
        let outerMode = mode
        violations = []
        mode = branchMode
        validate(node, instance)
        let branchViolations = violations
        violations = outerViolations
        mode = outerMode
        return branchViolations
    }

    /// Whether `instance` (at the current path) is valid against `node`.
    mutating func matches(_ node: NodeID, _ instance: JSONValue) -> Bool {
        violations(of: node, instance, mode: .firstViolation).isEmpty
    }

    /// Whether a member or item of the current instance is valid against `node`.
    mutating func matches(_ node: NodeID, _ instance: JSONValue, at component: InstancePathComponent) -> Bool {
        path.append(component)
        defer { path.removeLast() }
        return matches(node, instance)
    }

    private mutating func check(_ constraint: Constraint, _ instance: JSONValue) {
        switch constraint {
        case .value(let constraint):
            checkValue(constraint, instance)
        case .object(let constraint):
            if case .object(let members) = instance { checkObject(constraint, members, instance) }
        case .array(let constraint):
            if case .array(let items) = instance { checkArray(constraint, items) }
        case .applicator(let constraint):
            checkApplicator(constraint, instance)
        }
    }
}

extension PendingViolation {
    /// Instance path (array indices numerically), then message, then keyword.
    static func precedes(_ lhs: PendingViolation, _ rhs: PendingViolation) -> Bool {
        if lhs.path != rhs.path { return lhs.path.lexicographicallyPrecedes(rhs.path) }
        if lhs.message != rhs.message { return lhs.message < rhs.message }
        return lhs.keyword < rhs.keyword
    }

    var publicViolation: JSONSchemaViolation {
        JSONSchemaViolation(instancePath: JSONPointer.render(path.map(\.token)), keyword: keyword, message: message)
    }
}
