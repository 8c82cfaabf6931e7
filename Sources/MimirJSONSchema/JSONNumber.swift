import MimirCore

/// A JSON number kept exact: `Int64` when the document had a whole number that fits, `Double` otherwise.
/// Comparing through `Double` alone would misjudge limits near ±2^63, where `Double` cannot hold every integer.
enum JSONNumber: Sendable, Hashable {
    case integer(Int64)
    case double(Double)

    init?(_ value: JSONValue) {
        switch value {
        case .integer(let integer): self = .integer(integer)
        case .number(let double): self = .double(double)
        default: return nil
        }
    }

    var doubleValue: Double {
        switch self {
        case .integer(let integer): Double(integer)
        case .double(let double): double
        }
    }

    var isPositive: Bool {
        switch self {
        case .integer(let integer): integer > 0
        case .double(let double): double > 0
        }
    }

    var isNegative: Bool {
        switch self {
        case .integer(let integer): integer < 0
        case .double(let double): double < 0
        }
    }

    /// As written in JSON, for messages ("3", "0.5").
    var text: String {
        switch self {
        case .integer(let integer): String(integer)
        case .double(let double): JSONValue.number(double).jsonText()
        }
    }

    /// Exact ordering between any two JSON numbers.
    static func compare(_ lhs: JSONNumber, _ rhs: JSONNumber) -> NumericOrder {
        switch (lhs, rhs) {
        case (.integer(let left), .integer(let right)): order(left, right)
        case (.double(let left), .double(let right)): order(left, right)
        case (.integer(let left), .double(let right)): compare(left, right)
        case (.double(let left), .integer(let right)): compare(right, left).reversed
        }
    }

    /// Compares an integer with a double without rounding the integer to the nearest double.
    private static func compare(_ integer: Int64, _ double: Double) -> NumericOrder {
        if double.isNaN { return .unordered }
        // 2^63 is exactly representable; every Int64 lies in [-2^63, 2^63).
        let twoTo63 = 9_223_372_036_854_775_808.0
        if double >= twoTo63 { return .ascending }
        if double < -twoTo63 { return .descending }
        let floor = double.rounded(.down)
        // In range and whole, so the conversion is exact.
        let floorInteger = Int64(floor)
        if integer != floorInteger { return order(integer, floorInteger) }
        return double > floor ? .ascending : .same
    }

    private static func order<T: Comparable>(_ left: T, _ right: T) -> NumericOrder {
        left < right ? .ascending : (left > right ? .descending : .same)
    }

    /// Whether `self` is an integer multiple of `divisor` (which the compiler guarantees is > 0).
    func isMultiple(of divisor: JSONNumber) -> Bool {
        if case .integer(let value) = self, case .integer(let step) = divisor {
            return value % step == 0
        }
        let quotient = doubleValue / divisor.doubleValue
        // An overflowing quotient cannot be shown to be whole; treat it as not a multiple.
        guard quotient.isFinite else { return false }
        let nearestWhole = quotient.rounded()
        // Decimal fractions are inexact in binary (0.3 / 0.1 == 2.9999999999999996), so allow the few ulps of
        // error that two rounded operands and one division can introduce; anything further off is a real miss.
        let tolerance = Swift.max(quotient.magnitude, 1) * 4 * Double.ulpOfOne
        return (quotient - nearestWhole).magnitude <= tolerance
    }
}

/// The outcome of comparing two numbers; `unordered` only involves NaN, which JSON cannot express.
enum NumericOrder {
    case ascending, same, descending, unordered

    var reversed: NumericOrder {
        switch self {
        case .ascending: .descending
        case .descending: .ascending
        case .same, .unordered: self
        }
    }
}
