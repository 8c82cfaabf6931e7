/// A Kubernetes resource quantity ("500m", "2", "1.5", "512Mi", "1Gi", "1e3"), parsed the way the
/// Kubernetes API parses them, so a job that validates here also validates in a Pod spec.
public struct KubernetesQuantity: Sendable, Hashable {
    /// The quantity in base units: cores for CPU, bytes for memory.
    public let value: Double
    public let text: String

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
        // Over the UTF-8 bytes, without building arrays or substrings: every submission with
        // resource requirements parses two or three of these.
        var copy = text
        let parsed = copy.withUTF8 { bytes -> Double? in
            var index = 0
            var sign = 1.0
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
            }
            let numberStart = index
            var digits = 0
            var sawPoint = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    digits += 1
                } else if byte == UInt8(ascii: ".") && !sawPoint {
                    sawPoint = true
                } else {
                    break
                }
                index += 1
            }
            guard digits > 0,
                let magnitude = Double(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[numberStart..<index]), as: UTF8.self)),
                let multiplier = Self.multiplier(UnsafeBufferPointer(rebasing: bytes[index...]))
            else { return nil }
            return sign * magnitude * multiplier
        }
        guard let parsed else { return nil }
        value = parsed
        self.text = text
    }

    /// The factor of a suffix: binary (Ki … Ei), decimal (n … E, or none) or an exponent (e3, E-2).
    private static func multiplier(_ suffix: UnsafeBufferPointer<UInt8>) -> Double? {
        switch suffix.count {
        case 0:
            return 1
        case 1:
            switch suffix[0] {
            case UInt8(ascii: "n"): return 1e-9
            case UInt8(ascii: "u"): return 1e-6
            case UInt8(ascii: "m"): return 1e-3
            case UInt8(ascii: "k"): return 1e3
            case UInt8(ascii: "M"): return 1e6
            case UInt8(ascii: "G"): return 1e9
            case UInt8(ascii: "T"): return 1e12
            case UInt8(ascii: "P"): return 1e15
            case UInt8(ascii: "E"): return 1e18
            default: break
            }
        case 2 where suffix[1] == UInt8(ascii: "i"):
            switch suffix[0] {
            case UInt8(ascii: "K"): return 1024
            case UInt8(ascii: "M"): return 1_048_576
            case UInt8(ascii: "G"): return 1_073_741_824
            case UInt8(ascii: "T"): return 1_099_511_627_776
            case UInt8(ascii: "P"): return 1_125_899_906_842_624
            case UInt8(ascii: "E"): return 1_152_921_504_606_846_976
            default: break
            }
        default:
            break
        }
        guard let first = suffix.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E"),
            let exponent = Int(String(decoding: UnsafeBufferPointer(rebasing: suffix[1...]), as: UTF8.self)),
            (-18...18).contains(exponent)
        else { return nil }
        return power(exponent)
    }

    private static func power(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }
}
