import MimirCore
import MimirExpressions

/// Compiles a derived attribute's expression with MimirExpressions, the project's expression
/// language, against one entity type.
///
/// The twin adds what is particular to it: an identifier is an attribute of the entity
/// (`temperature`) or, through a to-one relationship, of the related entity
/// (`greenhouse.setpoint`); `avg`, `sum`, `min`, `max` and `count` applied to a relationship path
/// (`avg(sensors.temperature)`, `count(sensors)`) aggregate over the related entities. Those
/// values are computed by the twin (``DerivedEvaluation``) and handed to the expression as slots,
/// so the expression library never needs to know about entities.
enum FormulaCompiler {
    /// Words an attribute or relationship cannot be named, because the language reads them as
    /// keywords (MimirExpressions' `Token.keywords`, which it does not export).
    static let reservedWords: Set<String> = ["and", "or", "not", "is", "null", "in", "true", "false"]

    struct Problem: Error {
        let message: String
    }

    static func compile(_ text: String, entityType: String, types: [String: EntityTypeSpec])
        -> Result<DerivedFormula, Problem>
    {
        guard let type = types[entityType] else { return .failure(Problem(message: "unknown entity type")) }
        let expression: Expression
        do {
            expression = try Expression.parse(text)
        } catch {
            return .failure(Problem(message: "\(error)"))
        }
        var collector = ReferenceCollector(type: type, types: types)
        collector.visit(expression.root)
        if let problem = collector.problem { return .failure(problem) }

        let own = collector.ownAttributes.sorted()
        var slots: [String: Int] = [:]
        for (index, name) in own.enumerated() { slots[name] = index }
        for (index, term) in collector.terms.enumerated() { slots[term.slotKey] = own.count + index }
        let frozen = slots
        let compiled: CompiledExpression
        do {
            compiled = try expression.bind(functions: functions(slots: frozen)) { frozen[$0] }
        } catch {
            return .failure(Problem(message: "\(error)"))
        }
        return .success(
            DerivedFormula(
                source: text, ownAttributes: Set(own), relationTerms: collector.terms,
                evaluator: ExpressionFormula(compiled: compiled, ownNames: own)))
    }

    /// The standard functions with the aggregates replaced: an aggregate over a relationship
    /// path reads the slot its precomputed value is in; `min`/`max` over plain values keep their
    /// usual meaning (the smallest/largest non-null argument).
    private static func functions(slots: [String: Int]) -> FunctionTable {
        let aggregates = AggregateFunction.allCases.map { aggregate in
            let arity: Arity = aggregate == .min || aggregate == .max ? .atLeast(1) : .exactly(1)
            return ExpressionFunction.special(aggregate.rawValue, arity: arity) {
                call, binder throws(ExpressionError) in
                if call.arguments.count == 1, let path = call.arguments[0].identifierName,
                    let slot = slots["\(aggregate.rawValue)(\(path))"]
                {
                    return { input throws(ExpressionError) in input.slots[slot] }
                }
                guard aggregate == .min || aggregate == .max else {
                    throw ExpressionError(
                        "\(aggregate.rawValue)() takes a relationship path such as sensors.temperature")
                }
                var compiled: [Evaluator] = []
                for argument in call.arguments { compiled.append(try binder.compile(argument)) }
                let arguments = compiled
                let wantSmaller = aggregate == .min
                return { input throws(ExpressionError) in
                    var best = ExpressionValue.null
                    for argument in arguments {
                        let value = try argument(input)
                        if value.isNull { continue }
                        if best.isNull {
                            best = value
                        } else if let order = try Comparison.order(value, best),
                            wantSmaller ? order < 0 : order > 0
                        {
                            best = value
                        }
                    }
                    return best
                }
            }
        }
        return FunctionTable.standard.adding(aggregates)
    }
}

extension RelationTerm {
    /// The name a term's slot is found under: the identifier for a to-one path, the call for an aggregate.
    var slotKey: String {
        let path = attribute.map { "\(relationship).\($0)" } ?? relationship
        return aggregate.map { "\($0.rawValue)(\(path))" } ?? path
    }
}

/// Binds the twin's values to a compiled expression's slots.
private struct ExpressionFormula: FormulaEvaluator {
    let compiled: CompiledExpression
    let ownNames: [String]

    func evaluate(own: [String: JSONValue], terms: [JSONValue]) throws(FormulaError) -> JSONValue {
        let slots =
            ownNames.map { ExpressionValue(json: own[$0] ?? .null) ?? .null }
            + terms.map { ExpressionValue(json: $0) ?? .null }
        do {
            return try compiled.evaluate(slots).jsonValue
        } catch {
            throw FormulaError(description: error.description)
        }
    }
}
