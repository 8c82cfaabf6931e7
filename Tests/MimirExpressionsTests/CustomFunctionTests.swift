import MimirExpressions
import Testing

/// What a caller such as the twin engine passes through `EvaluationInput.context`.
private final class Entity {
    let childTemperatures: [String: [Double]]
    init(childTemperatures: [String: [Double]]) { self.childTemperatures = childTemperatures }
}

@Suite struct CustomFunctionTests {
    @Test func plainCustomFunctionOverridesAndExtends() throws {
        let functions = FunctionTable.standard.adding([
            .binary("hypot") { a, b throws(ExpressionError) in
                guard let x = a.doubleValue, let y = b.doubleValue else {
                    throw ExpressionError("hypot() needs numbers")
                }
                return .number((x * x + y * y).squareRoot())
            }
        ])
        #expect(try evaluate("hypot(3, 4)", functions: functions) == .number(5))
        #expect(failure("hypot(3, 'a')", functions: functions) == "hypot() needs numbers at column 1")
    }

    @Test func aggregateReceivesUnevaluatedPathAndReadsCallerContext() throws {
        let average = ExpressionFunction.special("avg", arity: .exactly(1)) { call, _ throws(ExpressionError) in
            guard let path = call.arguments[0].identifierName, path.hasPrefix("children.") else {
                throw ExpressionError("avg() takes a children.<attribute> path")
            }
            let attribute = String(path.dropFirst("children.".count))
            return { input throws(ExpressionError) in
                guard let entity = input.context as? Entity else { throw ExpressionError("no entity") }
                let values = entity.childTemperatures[attribute] ?? []
                return values.isEmpty ? .null : .number(values.reduce(0, +) / Double(values.count))
            }
        }
        let functions = FunctionTable.standard.adding([average])
        let expression = try Expression.parse("avg(children.temperature) > threshold")
        // The aggregate's argument is not a slot: the resolver is only asked about `threshold`.
        let compiled = try expression.bind(functions: functions) { $0 == "threshold" ? 0 : nil }
        let entity = Entity(childTemperatures: ["temperature": [20, 22, 27]])
        #expect(try compiled.evaluate([20], context: entity) == .bool(true))
        #expect(try compiled.evaluate([30], context: entity) == .bool(false))
        #expect(
            failure("avg(temperature)", functions: functions) == "avg() takes a children.<attribute> path at column 1")
    }

    @Test func specialFunctionCanCompileItsArguments() throws {
        let twice = ExpressionFunction.special("twice", arity: .exactly(1)) { call, binder throws(ExpressionError) in
            let argument = try binder.compile(call.arguments[0])
            return { input throws(ExpressionError) in
                let value = try argument(input)
                return .string(value.text + value.text)
            }
        }
        #expect(try evaluate("twice(x)", columns: ["x"], row: ["ab"], functions: .standard.adding([twice])) == "abab")
    }
}
