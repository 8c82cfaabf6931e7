import MimirCore

/// A numeric value that stands out: against the attribute's own recent history (z-score), or
/// outside a declared bound. Anomalies are reported, never refused: the value is still stored.
public struct Anomaly: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case zScore = "z_score"
        case belowMin = "below_min"
        case aboveMax = "above_max"
    }

    public let entity: String
    public let attribute: String
    public let value: Double
    public let kind: Kind
    public let timestamp: Int64
    /// For `z_score`: the score, and the history's mean and (population) standard deviation.
    /// `z` is absent when the history was constant (deviation 0) and the value differs from it.
    public let z: Double?
    public let mean: Double?
    public let stddev: Double?
    /// The |z| limit for `z_score`; the bound crossed for `below_min` and `above_max`.
    public let threshold: Double

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "entity": .string(entity), "attribute": .string(attribute), "value": .number(value),
            "kind": .string(kind.rawValue), "threshold": .number(threshold),
            "timestamp": .string(TwinTimestamp.format(timestamp)),
        ]
        if let z { object["z"] = .number(z) }
        if let mean { object["mean"] = .number(mean) }
        if let stddev { object["stddev"] = .number(stddev) }
        return .object(object)
    }
}

/// Judges new numeric values; pure, so the rules can be tested without Redis.
enum AnomalyDetector {
    /// The anomalies of `value` given the attribute's stored values before it (oldest first).
    static func check(
        _ value: Double, history: [Double], spec: AttributeSpec, entity: String, timestamp: Int64
    ) -> [Anomaly] {
        var found: [Anomaly] = []
        func anomaly(
            _ kind: Anomaly.Kind, threshold: Double, z: Double? = nil, mean: Double? = nil, stddev: Double? = nil
        )
            -> Anomaly
        {
            Anomaly(
                entity: entity, attribute: spec.name, value: value, kind: kind, timestamp: timestamp, z: z, mean: mean,
                stddev: stddev, threshold: threshold)
        }
        if let settings = spec.anomaly {
            let window = Array(history.suffix(settings.window))
            if window.count >= settings.minimumHistory {
                let mean = window.reduce(0, +) / Double(window.count)
                let variance = window.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(window.count)
                let stddev = variance.squareRoot()
                if stddev > 0 {
                    let z = (value - mean) / stddev
                    if abs(z) > settings.zThreshold {
                        found.append(anomaly(.zScore, threshold: settings.zThreshold, z: z, mean: mean, stddev: stddev))
                    }
                } else if value != mean {
                    found.append(anomaly(.zScore, threshold: settings.zThreshold, mean: mean, stddev: 0))
                }
            }
        }
        if let minimum = spec.minimum, value < minimum { found.append(anomaly(.belowMin, threshold: minimum)) }
        if let maximum = spec.maximum, value > maximum { found.append(anomaly(.aboveMax, threshold: maximum)) }
        return found
    }
}
