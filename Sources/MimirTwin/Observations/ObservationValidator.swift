import MimirCore

/// Checks observations against the schema and the twin's entities.
///
/// Out-of-range numbers are not errors here: a sensor that reads 95 °C reports a fact, which the
/// twin stores and flags as an anomaly. Only what cannot be stored (wrong type, unknown names,
/// unreadable times) is refused.
struct ObservationValidator {
    let schema: TwinSchema
    /// Entity id to entity type, including entities created by the same job.
    let entityTypes: [String: String]
    /// The time of observations that carry none.
    let now: Int64

    func validate(_ observations: [Observation]) -> (valid: [ValidObservation], problems: [ObservationProblem]) {
        var valid: [ValidObservation] = []
        var problems: [ObservationProblem] = []
        for (index, observation) in observations.enumerated() {
            switch check(observation, index: index) {
            case .success(let checked): valid.append(checked)
            case .failure(let problem): problems.append(problem)
            }
        }
        return (valid, problems)
    }

    private func check(_ observation: Observation, index: Int) -> Result<ValidObservation, ObservationProblem> {
        func problem(_ kind: ObservationProblem.Kind, _ message: String) -> Result<ValidObservation, ObservationProblem>
        {
            .failure(
                ObservationProblem(
                    index: index, origin: observation.origin, entity: observation.entity,
                    attribute: observation.attribute, kind: kind, message: message))
        }
        guard let type = entityTypes[observation.entity] else {
            return problem(.unknownEntity, "the twin has no entity \"\(observation.entity)\"")
        }
        guard let spec = schema.attribute(observation.attribute, ofType: type) else {
            let known = schema.entityTypes[type]?.attributes.keys.sorted().joined(separator: ", ") ?? ""
            return problem(.unknownAttribute, "\(type) has no attribute \"\(observation.attribute)\" (\(known))")
        }
        if spec.isDerived {
            return problem(.derivedAttribute, "\(type).\(spec.name) is derived: it is computed, not observed")
        }
        var timestamp = now
        if let given = observation.timestamp, !given.isNull {
            guard let parsed = TwinTimestamp.parse(given) else {
                return problem(
                    .badTimestamp,
                    "timestamp \(given.jsonText()) is neither RFC 3339 (2024-05-01T12:00:00Z) nor epoch milliseconds")
            }
            timestamp = parsed
        }
        switch ValueTyping.normalise(observation.value, for: spec, fromText: observation.valueIsText) {
        case .success(let value):
            return .success(
                ValidObservation(
                    index: index, entity: observation.entity, attribute: observation.attribute, value: value,
                    timestamp: timestamp))
        case .failure(let failure):
            return problem(failure.kind, failure.message)
        }
    }
}

/// The rules that make a JSON value a value of an attribute type.
enum ValueTyping {
    struct Failure: Error {
        let kind: ObservationProblem.Kind
        let message: String
    }

    /// The value as stored: numbers as JSON numbers, timestamps as UTC RFC 3339 text (one
    /// spelling per instant), `null` to clear. With `fromText`, a string is first read as the
    /// type wants ("21.5", "true"), and an empty string is `null`.
    static func normalise(_ value: JSONValue, for spec: AttributeSpec, fromText: Bool) -> Result<JSONValue, Failure> {
        if value.isNull { return .success(.null) }
        if fromText, case .string(let text) = value {
            if text.isEmpty { return .success(.null) }
            return normalise(converted(text, to: spec.type), for: spec, fromText: false)
        }
        let wrong = Failure(
            kind: .wrongType, message: "\(spec.name) is a \(spec.type.rawValue), not \(describe(value))")
        switch spec.type {
        case .number:
            guard let number = value.doubleValue, number.isFinite else { return .failure(wrong) }
            return .success(value)
        case .string:
            return value.stringValue == nil ? .failure(wrong) : .success(value)
        case .bool:
            return value.boolValue == nil ? .failure(wrong) : .success(value)
        case .timestamp:
            guard let instant = TwinTimestamp.parse(value), value.stringValue != nil || value.int64Value != nil else {
                return .failure(
                    Failure(
                        kind: .wrongType,
                        message:
                            "\(spec.name) is a timestamp (RFC 3339 text or epoch milliseconds), not \(describe(value))"
                    ))
            }
            return .success(.string(TwinTimestamp.format(instant)))
        case .enumeration:
            guard let text = value.stringValue else { return .failure(wrong) }
            guard spec.allowedValues.contains(text) else {
                let allowed = spec.allowedValues.map { "\"\($0)\"" }.joined(separator: ", ")
                return .failure(Failure(kind: .notAllowed, message: "\"\(text)\" is not one of \(allowed)"))
            }
            return .success(value)
        }
    }

    private static func converted(_ text: String, to type: AttributeType) -> JSONValue {
        switch type {
        case .number:
            if let integer = Int64(text) { return .integer(integer) }
            if let number = Double(text), number.isFinite { return .number(number) }
        case .bool:
            if ["true", "TRUE", "True", "1"].contains(text) { return .bool(true) }
            if ["false", "FALSE", "False", "0"].contains(text) { return .bool(false) }
        case .string, .timestamp, .enumeration:
            break
        }
        return .string(text)
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "the string \"\(text.prefix(40))\""
        case .bool(let flag): "the boolean \(flag)"
        case .integer, .number: "the number \(value.jsonText())"
        case .array: "an array"
        case .object: "an object"
        case .null: "null"
        }
    }
}
