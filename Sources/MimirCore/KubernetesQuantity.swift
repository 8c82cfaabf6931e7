/// A Kubernetes resource quantity ("500m", "2", "1.5", "512Mi", "1Gi", "1e3"), parsed the way the
/// Kubernetes API parses them, so a job that validates here also validates in a Pod spec.
public struct KubernetesQuantity: Sendable, Hashable {
    /// The quantity in base units: cores for CPU, bytes for memory.
    public let value: Double
    public let text: String

    private static let binarySuffixes: [String: Double] = [
        "Ki": 1024, "Mi": 1_048_576, "Gi": 1_073_741_824, "Ti": 1_099_511_627_776,
        "Pi": 1_125_899_906_842_624, "Ei": 1_152_921_504_606_846_976,
    ]
    private static let decimalSuffixes: [String: Double] = [
        "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    ]

    /// The largest quantity accepted: its thousandths (millicores) still fit in an Int64.
    public static let maximumValue = 9e15

    /// Whether the value is within 0...maximumValue: what requests and offers may say.
    public var isWithinLimits: Bool { value >= 0 && value <= Self.maximumValue }

    /// Thousandths of the base unit (millicores), rounded as asked and clamped to Int64.
    public func thousandths(_ rule: FloatingPointRoundingRule) -> Int64 {
        Self.clamped((value * 1000).rounded(rule))
    }

    /// Whole base units (bytes), rounded as asked and clamped to Int64.
    public func whole(_ rule: FloatingPointRoundingRule) -> Int64 {
        Self.clamped(value.rounded(rule))
    }

    /// A conversion that cannot trap, whatever the double.
    static func clamped(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 9.223_372_036_854_775e18 { return .max }
        if value <= -9.223_372_036_854_775e18 { return .min }
        return Int64(value)
    }

    /// `nil` when `text` is not a quantity.
    public init?(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var sign = 1.0
        if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" {
            sign = scalars[index] == "-" ? -1 : 1
            index += 1
        }
        let numberStart = index
        var digits = 0
        var sawPoint = false
        while index < scalars.count, ("0"..."9").contains(scalars[index]) || (scalars[index] == "." && !sawPoint) {
            if scalars[index] == "." { sawPoint = true } else { digits += 1 }
            index += 1
        }
        guard digits > 0, let magnitude = Double(String(String.UnicodeScalarView(scalars[numberStart..<index]))) else {
            return nil
        }
        let suffix = String(String.UnicodeScalarView(scalars[index...]))
        let multiplier: Double
        if let binary = Self.binarySuffixes[suffix] {
            multiplier = binary
        } else if let decimal = Self.decimalSuffixes[suffix] {
            multiplier = decimal
        } else if let first = suffix.first, first == "e" || first == "E", let exponent = Int(suffix.dropFirst()),
            (-18...18).contains(exponent)
        {
            multiplier = Self.power(exponent)
        } else {
            return nil
        }
        value = sign * magnitude * multiplier
        self.text = text
    }

    private static func power(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }
}
