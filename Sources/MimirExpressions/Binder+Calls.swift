extension Binder {
    /// Resolves and arity-checks a call at bind time, so a typo fails before any row is read.
    func call(_ name: String, _ arguments: [ExpressionNode], column: Int) throws(ExpressionError) -> Compiled {
        guard let function = functions[name] else {
            throw ExpressionError("unknown function \(name)()", column: column)
        }
        guard function.arity.accepts(arguments.count) else {
            throw ExpressionError(
                "\(name)() takes \(function.arity), got \(arguments.count)", column: column)
        }
        if case .special(let bind) = function.body {
            let call = FunctionCall(name: name, arguments: arguments, column: column)
            do throws(ExpressionError) {
                return Compiled(evaluator: try bind(call, self))
            } catch {
                throw error.located(at: column)
            }
        }
        var compiled: [Compiled] = []
        for argument in arguments { compiled.append(try compileNode(argument)) }
        let evaluator = Self.plainCall(function, compiled.map(\.evaluator), column: column)
        return fold(evaluator, operands: compiled, pure: function.isPure)
    }

    private static func plainCall(_ function: ExpressionFunction, _ arguments: [Evaluator], column: Int) -> Evaluator {
        let nullIn = function.propagatesNull
        switch function.body {
        case .unary(let body):
            let argument = arguments[0]
            return { input throws(ExpressionError) in
                let value = try argument(input)
                if nullIn, value.isNull { return .null }
                do throws(ExpressionError) { return try body(value) } catch { throw error.located(at: column) }
            }
        case .binary(let body):
            let (first, second) = (arguments[0], arguments[1])
            return { input throws(ExpressionError) in
                let (a, b) = (try first(input), try second(input))
                if nullIn, a.isNull || b.isNull { return .null }
                do throws(ExpressionError) { return try body(a, b) } catch { throw error.located(at: column) }
            }
        case .variadic(let body):
            return { input throws(ExpressionError) in
                var values: [ExpressionValue] = []
                values.reserveCapacity(arguments.count)
                for argument in arguments {
                    let value = try argument(input)
                    if nullIn, value.isNull { return .null }
                    values.append(value)
                }
                do throws(ExpressionError) { return try body(values) } catch { throw error.located(at: column) }
            }
        case .special:
            return { _ throws(ExpressionError) in throw ExpressionError("internal: special function called plainly") }
        }
    }
}

extension Expression {
    /// Binds identifiers to slots and calls to `functions`. Unknown identifiers, unknown
    /// functions and wrong argument counts are reported here, with their column.
    public func bind(
        functions: FunctionTable = .standard, slotFor resolve: @escaping (String) -> Int?
    ) throws(ExpressionError) -> CompiledExpression {
        let binder = Binder(functions: functions, resolve: resolve)
        let compiled = try binder.compileNode(root)
        return CompiledExpression(expression: self, evaluator: compiled.evaluator, constantValue: compiled.constant)
    }

    /// Binds against a row layout given as column names: slot `i` holds column `i`.
    public func bind(columns: [String], functions: FunctionTable = .standard) throws(ExpressionError)
        -> CompiledExpression
    {
        var slots: [String: Int] = [:]
        for (index, name) in columns.enumerated() where slots[name] == nil { slots[name] = index }
        return try bind(functions: functions) { slots[$0] }
    }
}
