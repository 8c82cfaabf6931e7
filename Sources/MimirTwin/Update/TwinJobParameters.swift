import MimirCore

/// What to do with observations that fail validation.
public enum InvalidPolicy: String, Sendable, Hashable {
    /// Refuse the whole batch and report every bad observation.
    case reject
    /// Apply the valid observations and report the skipped ones.
    case skip
}

/// A twin job's `parameters`, read and checked.
public struct TwinJobParameters: Sendable {
    public var twinID: String
    public var operation: TwinOperation
    /// Required for `define`, refused for `update` (schema changes are not supported yet).
    public var schema: TwinSchema?
    var entities: [EntityUpsert]
    public var observations: [Observation]
    public var whatIf: Bool
    public var onInvalid: InvalidPolicy

    /// Reads the parameters, reporting every problem with its path (`schema.entity_types.…`,
    /// `entities[2].type`, `observations[5].entity`).
    public static func parse(_ parameters: JSONValue) throws(TwinError) -> TwinJobParameters {
        var problems = ProblemList()
        guard let object = parameters.objectValue else {
            throw .invalidParameters([PathProblem(path: "", message: "the parameters are a JSON object")])
        }
        let allowed = ["twin_id", "operation", "schema", "entities", "observations", "what_if", "on_invalid"]
        for key in object.keys.sorted() where !allowed.contains(key) {
            problems.add(key, "unknown parameter (allowed: \(allowed.joined(separator: ", ")))")
        }
        let twinID = object["twin_id"]?.stringValue ?? ""
        if !Names.isIdentifierLike(twinID) { problems.add("twin_id", "required: \(Names.idRule)") }
        var operation = TwinOperation.update
        if let given = object["operation"] {
            if let parsed = given.stringValue.flatMap(TwinOperation.init(rawValue:)) {
                operation = parsed
            } else {
                problems.add("operation", "\"define\" or \"update\"")
            }
        }
        var schema: TwinSchema?
        switch (operation, object["schema"]) {
        case (.define, nil):
            problems.add("schema", "required to define a twin")
        case (.define, let document?):
            do {
                schema = try TwinSchema.parse(document)
            } catch {
                for problem in error.problems {
                    problems.add(problem.path.isEmpty ? "schema" : "schema.\(problem.path)", problem.message)
                }
            }
        case (.update, .some):
            problems.add("schema", "only a define job carries a schema; changing a twin's schema is not supported yet")
        case (.update, nil):
            break
        }
        let entities = EntityUpserts.parse(object["entities"], problems: &problems)
        let observations = readObservations(object["observations"], problems: &problems)
        var whatIf = false
        if let given = object["what_if"] {
            if let flag = given.boolValue { whatIf = flag } else { problems.add("what_if", "true or false") }
        }
        var onInvalid = InvalidPolicy.reject
        if let given = object["on_invalid"] {
            if let policy = given.stringValue.flatMap(InvalidPolicy.init(rawValue:)) {
                onInvalid = policy
            } else {
                problems.add("on_invalid", "\"reject\" or \"skip\"")
            }
        }
        guard problems.isEmpty else { throw .invalidParameters(problems.problems) }
        return TwinJobParameters(
            twinID: twinID, operation: operation, schema: schema, entities: entities, observations: observations,
            whatIf: whatIf, onInvalid: onInvalid)
    }

    private static func readObservations(_ value: JSONValue?, problems: inout ProblemList) -> [Observation] {
        guard let value else { return [] }
        guard let items = value.arrayValue else {
            problems.add("observations", "an array of {\"entity\", \"attribute\", \"value\", \"timestamp\"}")
            return []
        }
        var observations: [Observation] = []
        for (index, item) in items.enumerated() {
            let path = "observations[\(index)]"
            guard let object = item.objectValue else {
                problems.add(path, "an observation is an object")
                continue
            }
            for key in object.keys.sorted() where !["entity", "attribute", "value", "timestamp"].contains(key) {
                problems.add("\(path).\(key)", "unknown key (allowed: entity, attribute, value, timestamp)")
            }
            guard let entity = object["entity"]?.stringValue, !entity.isEmpty else {
                problems.add("\(path).entity", "required: an entity id")
                continue
            }
            guard let attribute = object["attribute"]?.stringValue, !attribute.isEmpty else {
                problems.add("\(path).attribute", "required: an attribute name")
                continue
            }
            guard let observed = object["value"] else {
                problems.add("\(path).value", "required (null clears the attribute)")
                continue
            }
            observations.append(
                Observation(
                    entity: entity, attribute: attribute, value: observed, timestamp: object["timestamp"], origin: path)
            )
        }
        return observations
    }
}
