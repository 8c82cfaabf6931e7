/// Turns expression nodes into evaluators against one slot layout and function table.
/// Special functions receive it so they can compile the arguments they do want evaluated.
public struct Binder {
    public let functions: FunctionTable
    private let resolve: (String) -> Int?

    init(functions: FunctionTable, resolve: @escaping (String) -> Int?) {
        self.functions = functions
        self.resolve = resolve
    }

    /// The slot an identifier reads from, `nil` when the resolver does not know it.
    public func slot(for identifier: String) -> Int? {
        resolve(identifier)
    }

    public func compile(_ node: ExpressionNode) throws(ExpressionError) -> Evaluator {
        try compileNode(node).evaluator
    }

    /// A compiled node plus what is known about it statically, which lets parents pick faster
    /// closures (reading a slot directly, comparing against a constant) and fold constants.
    struct Compiled {
        let evaluator: Evaluator
        var constant: ExpressionValue? = nil
        var slot: Int? = nil

        static func constant(_ value: ExpressionValue) -> Compiled {
            Compiled(evaluator: { _ in value }, constant: value)
        }
    }

    func compileNode(_ node: ExpressionNode) throws(ExpressionError) -> Compiled {
        let column = node.column
        switch node.kind {
        case .literal(let value):
            return .constant(value)
        case .identifier(let name):
            guard let slot = resolve(name) else {
                throw ExpressionError("unknown identifier \"\(name)\"", column: column)
            }
            return Compiled(evaluator: Self.slotReader(slot, name: name, column: column), slot: slot)
        case .unary(let op, let operand):
            let inner = try compileNode(operand)
            let apply: @Sendable (ExpressionValue) throws(ExpressionError) -> ExpressionValue =
                switch op {
                case .negate: { value throws(ExpressionError) in try Operators.negate(value, column: column) }
                case .not: { value throws(ExpressionError) in try Operators.not(value, column: column) }
                }
            return fold(Self.unary(inner, apply), operands: [inner])
        case .binary(.and, let left, let right):
            return try logical(isAnd: true, left, right, column: column)
        case .binary(.or, let left, let right):
            return try logical(isAnd: false, left, right, column: column)
        case .binary(let op, let left, let right):
            let (lhs, rhs) = (try compileNode(left), try compileNode(right))
            return fold(Self.binary(lhs, rhs, Self.operation(op, column: column)), operands: [lhs, rhs])
        case .isNull(let operand, let negated):
            let inner = try compileNode(operand)
            let evaluator: Evaluator = { input throws(ExpressionError) in
                .bool(try inner.evaluator(input).isNull != negated)
            }
            return fold(evaluator, operands: [inner])
        case .inList(let operand, let list, let negated):
            return try membership(operand, list, negated: negated, column: column)
        case .call(let name, let arguments):
            return try call(name, arguments, column: column)
        }
    }

    /// Evaluates once now when every operand is constant; if that evaluation fails the error is
    /// left for run time, so `if(false, 1/0, 2)`-style guards keep working.
    func fold(_ evaluator: @escaping Evaluator, operands: [Compiled], pure: Bool = true) -> Compiled {
        guard pure, operands.allSatisfy({ $0.constant != nil }),
            let value = try? evaluator(EvaluationInput(slots: []))
        else { return Compiled(evaluator: evaluator) }
        return .constant(value)
    }

    private static func slotReader(_ slot: Int, name: String, column: Int) -> Evaluator {
        { input throws(ExpressionError) in
            guard slot < input.slots.count else {
                throw ExpressionError("no value for \"\(name)\" (slot \(slot) of \(input.slots.count))", column: column)
            }
            return input.slots[slot]
        }
    }

    private static func unary(
        _ operand: Compiled, _ apply: @escaping @Sendable (ExpressionValue) throws(ExpressionError) -> ExpressionValue
    ) -> Evaluator {
        let evaluate = operand.evaluator
        return { input throws(ExpressionError) in try apply(try evaluate(input)) }
    }

    typealias Operation = @Sendable (ExpressionValue, ExpressionValue) throws(ExpressionError) -> ExpressionValue

    private static func operation(_ op: BinaryOperator, column: Int) -> Operation {
        switch op {
        case .add: { a, b throws(ExpressionError) in try Operators.add(a, b, column: column) }
        case .subtract: { a, b throws(ExpressionError) in try Operators.subtract(a, b, column: column) }
        case .multiply: { a, b throws(ExpressionError) in try Operators.multiply(a, b, column: column) }
        case .divide: { a, b throws(ExpressionError) in try Operators.divide(a, b, column: column) }
        case .remainder: { a, b throws(ExpressionError) in try Operators.remainder(a, b, column: column) }
        case .concat: { a, b in Operators.concat(a, b) }
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .and, .or:
            { a, b throws(ExpressionError) in try Comparison.compare(op, a, b, column: column) }
        }
    }

    /// Picks a closure shape from what is known about the operands: reading a slot or a
    /// captured constant directly saves a closure call per operand per row.
    private static func binary(_ left: Compiled, _ right: Compiled, _ operation: @escaping Operation) -> Evaluator {
        let (lhs, rhs) = (left.evaluator, right.evaluator)
        switch (left.slot, right.slot, right.constant) {
        case (.some(let slot), _, .some(let constant)):
            return { input throws(ExpressionError) in
                guard slot < input.slots.count else { return try operation(try lhs(input), constant) }
                return try operation(input.slots[slot], constant)
            }
        case (.some(let leftSlot), .some(let rightSlot), _):
            return { input throws(ExpressionError) in
                guard leftSlot < input.slots.count, rightSlot < input.slots.count else {
                    return try operation(try lhs(input), try rhs(input))
                }
                return try operation(input.slots[leftSlot], input.slots[rightSlot])
            }
        case (.none, _, .some(let constant)):
            return { input throws(ExpressionError) in try operation(try lhs(input), constant) }
        default:
            return { input throws(ExpressionError) in try operation(try lhs(input), try rhs(input)) }
        }
    }

    /// Three-valued `and`/`or` that skips the right side once the left decides the result.
    private func logical(isAnd: Bool, _ left: ExpressionNode, _ right: ExpressionNode, column: Int)
        throws(ExpressionError) -> Compiled
    {
        let (lhs, rhs) = (try compileNode(left), try compileNode(right))
        let (leftEvaluator, rightEvaluator) = (lhs.evaluator, rhs.evaluator)
        let name = isAnd ? "and" : "or"
        let evaluator: Evaluator = { input throws(ExpressionError) in
            let a = try Self.truth(try leftEvaluator(input), name, column: column)
            if a == !isAnd { return .bool(a ?? isAnd) }
            let b = try Self.truth(try rightEvaluator(input), name, column: column)
            if b == !isAnd { return .bool(!isAnd) }
            guard let a, let b else { return .null }
            return .bool(isAnd ? (a && b) : (a || b))
        }
        return fold(evaluator, operands: [lhs, rhs])
    }

    private static func truth(_ value: ExpressionValue, _ name: String, column: Int) throws(ExpressionError) -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .null: return nil
        default: throw ExpressionError("'\(name)' needs boolean operands, got \(value.excerpt)", column: column)
        }
    }

    /// SQL `in`: true on a match; otherwise null if anything compared was null, else false.
    private func membership(_ operand: ExpressionNode, _ list: [ExpressionNode], negated: Bool, column: Int)
        throws(ExpressionError) -> Compiled
    {
        let subject = try compileNode(operand)
        var elements: [Compiled] = []
        for element in list { elements.append(try compileNode(element)) }
        let subjectEvaluator = subject.evaluator
        let evaluators = elements.map(\.evaluator)
        let evaluator: Evaluator = { input throws(ExpressionError) in
            let value = try subjectEvaluator(input)
            if value.isNull { return .null }
            var sawNull = false
            for element in evaluators {
                let candidate = try element(input)
                do throws(ExpressionError) {
                    switch try Comparison.equals(value, candidate) {
                    case .some(true): return .bool(!negated)
                    case .some(false): continue
                    case .none: sawNull = true
                    }
                } catch {
                    throw error.located(at: column)
                }
            }
            return sawNull ? .null : .bool(negated)
        }
        return fold(evaluator, operands: [subject] + elements)
    }
}
