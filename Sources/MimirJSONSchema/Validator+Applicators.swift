import MimirCore

/// Keywords that apply subschemas to the instance itself: allOf, anyOf, oneOf, not, if/then/else and $ref.
extension Validator {
    mutating func checkApplicator(_ constraint: ApplicatorConstraint, _ instance: JSONValue) {
        switch constraint {
        case .allOf(let branches):
            for branch in branches {
                validate(branch, instance)
                if isFinished { return }
            }
        case .anyOf(let branches):
            if branches.contains(where: { matches($0, instance) }) { return }
            reportNoBranchMatched(branches, instance, keyword: "anyOf", requirement: "at least one schema")
        case .oneOf(let branches):
            let matching = branches.indices.filter { matches(branches[$0], instance) }
            switch matching.count {
            case 1:
                return
            case 0:
                reportNoBranchMatched(branches, instance, keyword: "oneOf", requirement: "exactly one schema")
            default:
                let which = matching.map { "oneOf/\($0)" }.joined(separator: ", ")
                report("oneOf", "must match exactly one schema in oneOf, matched \(matching.count) (\(which))")
            }
        case .not(let node):
            if matches(node, instance) {
                report("not", "must not match the schema in \"not\"")
            }
        case .conditional(let condition, let then, let otherwise):
            if matches(condition, instance) {
                if let then { validate(then, instance) }
            } else if let otherwise {
                validate(otherwise, instance)
            }
        case .reference(let index):
            validate(schema.referenceTargets[index], instance)
        }
    }

    /// Reports an anyOf/oneOf where no branch matched, along with the violations of the branch that came closest,
    /// which is usually the one the author of the instance meant (e.g. the step whose "kind" they wrote).
    private mutating func reportNoBranchMatched(
        _ branches: [NodeID], _ instance: JSONValue, keyword: String, requirement: String
    ) {
        let summary = "must match \(requirement) in \(keyword), matched 0"
        guard mode == .complete else {
            report(keyword, summary)
            return
        }
        let depth = path.count
        let distances = branches.map {
            Self.distance(violations(of: $0, instance, mode: .withoutBranchDetails), instanceDepth: depth)
        }
        let closest = distances.indices.min { distances[$0].lexicographicallyPrecedes(distances[$1]) }
        guard let closest else {
            report(keyword, summary)
            return
        }
        report(keyword, "\(summary) (closest: \(keyword)/\(closest))")
        report(contentsOf: violations(of: branches[closest], instance, mode: .complete))
    }

    /// How far a failed branch is from matching, compared lexicographically:
    /// 1. whether the instance has the wrong type for the branch at all (a string given to an object branch);
    /// 2. how many `const`/`enum` mismatches sit on the instance or its direct members (a discriminator such as
    ///    "kind": "filter" given to the "select" branch);
    /// 3. how many violations the branch has.
    private static func distance(_ violations: [PendingViolation], instanceDepth depth: Int) -> [Int] {
        let wrongType = violations.contains {
            $0.path.count == depth && ($0.keyword == "type" || $0.keyword == "false")
        }
        let discriminatorMismatches = violations.count {
            $0.path.count <= depth + 1 && ($0.keyword == "const" || $0.keyword == "enum")
        }
        return [wrongType ? 1 : 0, discriminatorMismatches, violations.count]
    }
}
