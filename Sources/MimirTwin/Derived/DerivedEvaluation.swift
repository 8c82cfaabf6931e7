import MimirCore

/// Computes one derived value of one entity from the current (in-update) entities.
struct DerivedEvaluation {
    let entities: [String: TwinEntity]

    struct Outcome {
        let value: JSONValue
        /// Why the value is null when it should not be: the update reports it and goes on.
        let warning: String?
    }

    func value(of formula: DerivedFormula, spec: AttributeSpec, for entity: TwinEntity) -> Outcome {
        let own = Dictionary(uniqueKeysWithValues: formula.ownAttributes.map { ($0, entity.value($0)) })
        let terms = formula.relationTerms.map { termValue($0, of: entity) }
        let label = "\(entity.type).\(spec.name) of \(entity.id)"
        let raw: JSONValue
        do {
            raw = try formula.evaluator.evaluate(own: own, terms: terms)
        } catch {
            return Outcome(value: .null, warning: "\(label) = \(formula.source): \(error.description); stored null")
        }
        switch ValueTyping.normalise(raw, for: spec, fromText: false) {
        case .success(let value):
            return Outcome(value: value, warning: nil)
        case .failure(let failure):
            return Outcome(value: .null, warning: "\(label) = \(formula.source): \(failure.message); stored null")
        }
    }

    /// The value a relation term stands for. Aggregates skip related entities whose attribute is
    /// unset or not a number; `avg`, `min` and `max` of nothing are null, `sum` and `count` 0.
    func termValue(_ term: RelationTerm, of entity: TwinEntity) -> JSONValue {
        let related = entity.related(term.relationship).compactMap { entities[$0] }
        guard let aggregate = term.aggregate else {
            guard let attribute = term.attribute else { return .null }
            return related.first?.value(attribute) ?? .null
        }
        guard let attribute = term.attribute else {
            return .integer(Int64(related.count))
        }
        let values = related.map { $0.value(attribute) }
        if aggregate == .count { return .integer(Int64(values.filter { !$0.isNull }.count)) }
        let numbers = values.filter { $0.doubleValue != nil }
        switch aggregate {
        case .avg:
            guard !numbers.isEmpty else { return .null }
            return .number(numbers.compactMap(\.doubleValue).reduce(0, +) / Double(numbers.count))
        case .sum:
            return Self.sum(numbers)
        case .min:
            return numbers.min { ($0.doubleValue ?? 0) < ($1.doubleValue ?? 0) } ?? .null
        case .max:
            return numbers.max { ($0.doubleValue ?? 0) < ($1.doubleValue ?? 0) } ?? .null
        case .count:
            return .integer(Int64(numbers.count))
        }
    }

    /// Whole numbers sum exactly while they fit; otherwise as doubles.
    private static func sum(_ numbers: [JSONValue]) -> JSONValue {
        var exact: Int64 = 0
        for number in numbers {
            guard case .integer(let value) = number else {
                return .number(numbers.compactMap(\.doubleValue).reduce(0, +))
            }
            let (result, overflow) = exact.addingReportingOverflow(value)
            if overflow { return .number(numbers.compactMap(\.doubleValue).reduce(0, +)) }
            exact = result
        }
        return .integer(exact)
    }
}
