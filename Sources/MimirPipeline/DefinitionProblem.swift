/// One thing wrong with a pipeline definition, located by a JSON-path-like string such as
/// `steps[2].where`, so a user can find the field without reading a stack of messages.
public struct DefinitionProblem: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Every problem found, not just the first, so one round trip fixes the whole definition.
public struct PipelineDefinitionError: Error, Sendable, CustomStringConvertible {
    public let problems: [DefinitionProblem]

    public init(problems: [DefinitionProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// Gathers problems while a definition is read; a class so nested readers can share it.
final class ProblemCollector {
    private(set) var problems: [DefinitionProblem] = []

    func add(_ path: String, _ message: String) {
        problems.append(DefinitionProblem(path: path, message: message))
    }

    var isEmpty: Bool { problems.isEmpty }
}
