import MimirCore

/// Reads one attribute declaration (`{"type": "number", "min": 0, "anomaly": {...}}`).
enum AttributeReader {
    struct Read {
        let spec: AttributeSpec
        let derivedSource: String?
    }

    static let keys = ["type", "enum", "min", "max", "anomaly", "derived", "description"]

    static func read(_ name: String, _ value: JSONValue, path: String, problems: inout ProblemList) -> Read? {
        guard let object = value.objectValue else {
            problems.add(path, "an attribute is an object such as {\"type\": \"number\"}")
            return nil
        }
        for key in object.keys.sorted() where !keys.contains(key) {
            problems.add("\(path).\(key)", "unknown key (allowed: \(keys.joined(separator: ", ")))")
        }
        guard let typeName = object["type"]?.stringValue else {
            problems.add("\(path).type", "required: one of \(AttributeType.listing)")
            return nil
        }
        guard let type = AttributeType(rawValue: typeName) else {
            problems.add("\(path).type", "unknown type \"\(typeName)\" (\(AttributeType.listing))")
            return nil
        }
        let allowed = readEnum(object["enum"], type: type, path: "\(path).enum", problems: &problems)
        let minimum = readBound(object["min"], type: type, path: "\(path).min", problems: &problems)
        let maximum = readBound(object["max"], type: type, path: "\(path).max", problems: &problems)
        if let minimum, let maximum, minimum > maximum {
            problems.add("\(path).min", "min (\(minimum)) is greater than max (\(maximum))")
        }
        let anomaly = readAnomaly(object["anomaly"], type: type, path: "\(path).anomaly", problems: &problems)
        var derivedSource: String?
        if let derived = object["derived"] {
            if let text = derived.stringValue, !text.trimmingSpaces.isEmpty {
                derivedSource = text
            } else {
                problems.add("\(path).derived", "an expression, such as \"avg(sensors.temperature)\"")
            }
        }
        let spec = AttributeSpec(
            name: name, type: type, allowedValues: allowed, minimum: minimum, maximum: maximum, anomaly: anomaly,
            derived: nil)
        return Read(spec: spec, derivedSource: derivedSource)
    }

    private static func readEnum(_ value: JSONValue?, type: AttributeType, path: String, problems: inout ProblemList)
        -> [String]
    {
        guard type == .enumeration else {
            if value != nil { problems.add(path, "only an attribute of type enum has enum values") }
            return []
        }
        guard let values = value?.arrayValue?.compactMap(\.stringValue), values.count == value?.arrayValue?.count,
            !values.isEmpty
        else {
            problems.add(path, "required for type enum: a non-empty array of strings")
            return []
        }
        if Set(values).count != values.count { problems.add(path, "values repeat") }
        return values
    }

    private static func readBound(_ value: JSONValue?, type: AttributeType, path: String, problems: inout ProblemList)
        -> Double?
    {
        guard let value else { return nil }
        guard type == .number else {
            problems.add(path, "only a number attribute has min and max rules")
            return nil
        }
        guard let bound = value.doubleValue, bound.isFinite else {
            problems.add(path, "a number")
            return nil
        }
        return bound
    }

    /// Number attributes are watched with the default settings unless they say `"anomaly": false`.
    private static func readAnomaly(
        _ value: JSONValue?, type: AttributeType, path: String, problems: inout ProblemList
    ) -> AnomalySettings? {
        guard type == .number else {
            if value != nil { problems.add(path, "only a number attribute has anomaly settings") }
            return nil
        }
        switch value {
        case nil, .bool(true): return .standard
        case .bool(false): return nil
        case .object(let object):
            let keys = ["z_threshold", "window", "min_history"]
            for key in object.keys.sorted() where !keys.contains(key) {
                problems.add("\(path).\(key)", "unknown key (allowed: \(keys.joined(separator: ", ")))")
            }
            var settings = AnomalySettings.standard
            if let threshold = object["z_threshold"] {
                if let number = threshold.doubleValue, number > 0, number.isFinite {
                    settings.zThreshold = number
                } else {
                    problems.add("\(path).z_threshold", "a number greater than 0")
                }
            }
            if let window = object["window"] {
                if let count = window.int64Value, (2...10_000).contains(count) {
                    settings.window = Int(count)
                } else {
                    problems.add("\(path).window", "a whole number from 2 to 10000")
                }
            }
            if let minimum = object["min_history"] {
                if let count = minimum.int64Value, count >= 2, count <= settings.window {
                    settings.minimumHistory = Int(count)
                } else {
                    problems.add("\(path).min_history", "a whole number from 2 to the window (\(settings.window))")
                }
            } else {
                settings.minimumHistory = min(settings.minimumHistory, settings.window)
            }
            return settings
        default:
            problems.add(path, "true, false, or an object with z_threshold, window, min_history")
            return nil
        }
    }
}

extension AttributeSpec {
    func withDerived(_ formula: DerivedFormula) -> AttributeSpec {
        AttributeSpec(
            name: name, type: type, allowedValues: allowedValues, minimum: minimum, maximum: maximum,
            anomaly: anomaly, derived: formula)
    }
}

extension String {
    var trimmingSpaces: Substring {
        let isSpace = { (character: Character) in character.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[start...end]
    }
}
