/// The functions an expression may call. Start from `.standard` and add your own; a later
/// registration under the same name replaces the earlier one, so callers can override built-ins.
public struct FunctionTable: Sendable {
    private var functions: [String: ExpressionFunction]

    public init(_ functions: [ExpressionFunction] = []) {
        self.functions = [:]
        for function in functions { register(function) }
    }

    public static let standard = FunctionTable(StandardFunctions.all)

    public mutating func register(_ function: ExpressionFunction) {
        functions[function.name] = function
    }

    public func adding(_ extra: [ExpressionFunction]) -> FunctionTable {
        var table = self
        for function in extra { table.register(function) }
        return table
    }

    public subscript(name: String) -> ExpressionFunction? {
        functions[name.lowercased()]
    }

    public var names: [String] { functions.keys.sorted() }
}
